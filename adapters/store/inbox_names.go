package store

import (
	"context"
	"fmt"

	"github.com/whisper-schools/whisper/domain"
)

// inboxArrangementMigration adds inbox name keys, the texts mark and
// archiving; renameDuplicateInboxes is its Go step.
const inboxArrangementMigration = "20261205000017"

// renameDuplicateInboxes fills every inbox's name key, renames the inboxes
// of a form whose names clash with an earlier one's (by position, then id)
// to "Name (2)", "Name (3)"…, and marks each form's first inbox as the one
// texts land in, as they did before. domain.InboxNameKey is Go's idea of
// case, which SQL's lower() does not share, so this cannot be SQL.
func renameDuplicateInboxes(ctx context.Context, t *tx) error {
	var rows []inboxRow
	err := t.db.NewSelect().Model(&rows).Column("id", "form_id", "name").Order("form_id", "position", "id").Scan(ctx)
	if err != nil {
		return err
	}
	taken := map[string]bool{} // form id + name key
	lastForm := ""
	for _, r := range rows {
		name := r.Name
		for n := 2; taken[r.FormID+"\x00"+domain.InboxNameKey(name)]; n++ {
			name = fmt.Sprintf("%s (%d)", r.Name, n)
		}
		taken[r.FormID+"\x00"+domain.InboxNameKey(name)] = true
		q := t.db.NewUpdate().Model((*inboxRow)(nil)).Where("id = ?", r.ID).
			Set("name = ?", name).Set("name_key = ?", domain.InboxNameKey(name))
		if r.FormID != lastForm {
			q = q.Set("receives_texts = ?", true)
			lastForm = r.FormID
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}
