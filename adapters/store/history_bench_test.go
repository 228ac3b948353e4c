package store_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/whisper-schools/whisper/adapters/store"
	"github.com/whisper-schools/whisper/adapters/store/storetest"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// BenchmarkHistoryExport measures what a staff export of 10,000 reports
// adds to its recording transaction: one "exported" line in the history
// of each, written in batches (HistoryRepo.Record). PostgreSQL runs when
// WHISPER_TEST_DATABASE_URL is set:
//
//	go test -run '^$' -bench HistoryExport -benchtime 5x ./adapters/store
func BenchmarkHistoryExport(b *testing.B) {
	const n = 10_000
	b.Run("sqlite", func(b *testing.B) { benchHistoryExport(b, storetest.OpenSQLite(b), n) })
	b.Run("postgres", func(b *testing.B) { benchHistoryExport(b, storetest.OpenPostgres(b), n) })
}

func benchHistoryExport(b *testing.B, st *store.Store, n int) {
	ctx := context.Background()
	now := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	orgID, err := domain.NewOrgID(rand.Reader)
	must(b, err)
	org, err := domain.NewOrganisation(orgID, "Oakfield Primary", domain.Retention12, 30, now)
	must(b, err)
	formID, err := domain.NewFormID(rand.Reader)
	must(b, err)
	form, err := domain.NewForm(formID, org.ID, "Oakfield", "BENCH", now)
	must(b, err)
	inboxID, err := domain.NewInboxID(rand.Reader)
	must(b, err)
	inbox, err := domain.NewInbox(inboxID, form, domain.DefaultInboxName, nil, 0, now)
	must(b, err)
	must(b, st.InTx(ctx, func(tx ports.Tx) error {
		if err := tx.Organisations().Create(ctx, org); err != nil {
			return err
		}
		if err := tx.Forms().Create(ctx, form); err != nil {
			return err
		}
		return tx.Inboxes().Create(ctx, inbox)
	}))
	ids := make([]domain.InteractionID, n)
	if err := st.InTx(ctx, func(tx ports.Tx) error {
		for i := range ids {
			var x domain.IDs
			var err error
			if x.Interaction, err = domain.NewInteractionID(rand.Reader); err != nil {
				return err
			}
			if x.Message, err = domain.NewMessageID(rand.Reader); err != nil {
				return err
			}
			if x.Ref, err = domain.NewReference(rand.Reader); err != nil {
				return err
			}
			if x.Token, err = domain.NewToken(rand.Reader); err != nil {
				return err
			}
			ia, _, token, err := domain.OpenInteraction(x, domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelWeb, Body: fmt.Sprint("report ", i)}, now)
			if err != nil {
				return err
			}
			if err := tx.Interactions().Create(ctx, ia, token, domain.Contact{}); err != nil {
				return err
			}
			ids[i] = ia.ID
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	e := domain.HistoryEvent{StaffID: "stf_bench", StaffName: "Hana Tester", Kind: domain.HistoryExported, Detail: "csv", At: now}
	b.ResetTimer()
	for range b.N {
		err := st.InTx(ctx, func(tx ports.Tx) error {
			added, err := tx.History().Record(ctx, e, ids...)
			if err == nil && added != n {
				err = fmt.Errorf("added %d lines, not %d", added, n)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
