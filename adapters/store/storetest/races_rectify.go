package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// raceRectifyAgainstErasure races corrections of reporters' email
// addresses, phone numbers and names against the erasure of the same
// interactions, by erasure requests and by the retention purge. A
// correction that read the interaction before it was erased must not write
// personal data, or a blind index that finds it, into an erased one: it
// corrects before the erasure, or it is refused as erased.
func raceRectifyAgainstErasure(t *testing.T, st ports.Store) {
	s := newEraseRaceSchool(t, st)
	op := app.Operator{Name: "race"}
	for round := range 3 {
		receipts := s.report(t, 12)
		var fns []func() error
		for i, rc := range receipts {
			for _, fix := range []app.Rectification{
				{Email: fmt.Sprintf("fixed%d.%d@example.org", round, i)},
				{Phone: "07700 900" + fmt.Sprintf("%03d", i)},
				{Name: "Kim Jones"},
			} {
				fix.Ref, fix.Reason = rc.Ref, "the reporter wrote to correct it"
				// Again and again, until the erasure overtakes it.
				fns = append(fns, func() error {
					for range 100 {
						_, err := s.now.Rights.Rectify(ctx, op, fix)
						if errors.Is(err, domain.ErrErased) {
							return nil
						}
						if err != nil {
							return err
						}
					}
					return nil
				})
			}
			if i%2 == 0 {
				fns = append(fns, func() error { return s.now.Operations.Erase(ctx, op, rc.Ref, "the reporter asked") })
			}
		}
		fns = append(fns, func() error { _, err := s.later.Operations.Purge(ctx, app.Purge{Actor: "race", Batch: 4}); return err })
		errs := make([]error, len(fns))
		race(len(fns), func(i int) { errs[i] = fns[i]() })
		for _, err := range errs {
			assert.NoError(t, err, "round %d", round)
		}
		for i, rc := range receipts {
			assertNothingPersonalLeft(t, st, rc)
			require.NoError(t, st.View(ctx, func(tx ports.Tx) error {
				found, err := tx.Interactions().FindByContact(ctx, domain.Contact{
					Email: fmt.Sprintf("fixed%d.%d@example.org", round, i), Phone: fmt.Sprintf("+447700900%03d", i)})
				require.NoError(t, err)
				for _, ia := range found {
					assert.Nil(t, ia.ErasedAt, "round %d: %s: erased, yet found by a corrected address or number", round, ia.Ref)
				}
				return nil
			}))
		}
		if t.Failed() {
			return
		}
	}
}
