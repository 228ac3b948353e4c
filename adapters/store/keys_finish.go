package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// leftoverPage is how many rows a look for leftovers reads at a time.
const leftoverPage = 1000

// FinishRotation ends a rotation whose batches are all done. It looks for
// values still sealed under another key, written behind the rotation by
// an instance that was not given the new key; finding some, it starts
// their tables again and returns their names, for the caller to run the
// batches again. Finding none, it records the end in the audit log.
func (s *Store) FinishRotation(ctx context.Context, actor, reason string) (again []string, err error) {
	defer domain.Wrap(&err, "store.FinishRotation")
	for _, st := range sealedTables {
		left, err := s.leftovers(ctx, st)
		if err != nil {
			return nil, err
		}
		if left {
			again = append(again, st.table)
		}
	}
	return again, s.InTx(ctx, func(ptx ports.Tx) error {
		t := ptx.(*tx)
		if len(again) > 0 {
			_, err := t.db.NewUpdate().Model((*rotationRow)(nil)).Set("after_key = ''").Set("finished_at = NULL").
				Where("target = ?", s.keys.Fingerprint()).Where("table_name IN (?)", bun.List(again)).Exec(ctx)
			return translate(err)
		}
		return t.Audit().Append(ctx, &domain.AuditEntry{At: time.Now().UTC(), Actor: actor, Action: auditKeyRotated, Reason: reason,
			Details: map[string]string{"to": s.keys.Fingerprint()}})
	})
}

// leftovers reports whether st holds a value not sealed under the primary
// key. It reads the envelopes' headers only, a page at a time.
func (s *Store) leftovers(ctx context.Context, st sealedTable) (found bool, err error) {
	after := ""
	for {
		n := 0
		err := s.View(ctx, func(ptx ports.Tx) error {
			q, err := rotationPage(ptx.(*tx).db, st, after, leftoverPage)
			if err != nil {
				return err
			}
			rows, err := scanRotationRows(ctx, q, st)
			if err != nil {
				return err
			}
			n = len(rows)
			for _, row := range rows {
				after = fmt.Sprint(row[st.key])
				for _, c := range st.sealed {
					if b := asBytes(row[c.column]); len(b) > 0 && !s.keys.SealedUnderPrimary(b) {
						found = true
					}
				}
			}
			return nil
		})
		if err != nil || found || n < leftoverPage {
			return found, err
		}
	}
}
