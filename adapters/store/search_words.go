package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

// wordsRow is one interaction's word index: the distinct words of its
// messages and notes (domain.IndexWords), sealed. Search opens it instead
// of every text (search.go); see the migration 20261207000042.
type wordsRow struct {
	bun.BaseModel `bun:"table:interaction_words"`

	InteractionID string `bun:"interaction_id,pk"`
	WordsSealed   []byte `bun:"words_sealed"`
}

// wordsColumn names the sealed index in its aad, with the interaction's id.
const wordsColumn = "interaction_words.words"

// newWordsRow is the index of a new interaction's first texts.
func (t *tx) newWordsRow(id domain.InteractionID, texts ...string) *wordsRow {
	return &wordsRow{InteractionID: string(id), WordsSealed: t.sealWords(id, domain.IndexWords("", texts...))}
}

// sealWords seals an index; an empty one is an empty value, not the NULL
// Seal makes of nothing, as the row's presence is what says "indexed".
func (t *tx) sealWords(id domain.InteractionID, words string) []byte {
	if sealed := t.keys.Seal(words, aad(wordsColumn, string(id))); sealed != nil {
		return sealed
	}
	return []byte{}
}

// lockInteraction takes the interaction's row lock until the transaction
// ends (FOR UPDATE on PostgreSQL; SQLite's write transaction already holds
// the database) and refuses an erased one. Whatever adds a text to an
// interaction takes it first: an erasure that has not committed is waited
// for and then seen, one that comes later waits for the text and clears
// it, and two texts added at once update the word index in turn.
func (t *tx) lockInteraction(ctx context.Context, id domain.InteractionID) error {
	var erasedAt *time.Time
	err := t.lockedSelect().Model((*interactionRow)(nil)).Column("erased_at").
		Where("id = ?", string(id)).Scan(ctx, &erasedAt)
	if err != nil {
		return notFound(err, "interaction")
	}
	if erasedAt != nil {
		return domain.ErrErased
	}
	return nil
}

// addWords adds text's words to the interaction's index. The caller holds
// the interaction's row lock (lockInteraction), so the index read here is
// the latest and no other writer's words are lost. An interaction with no
// index, written before there were any, keeps none: indexMissing builds
// it from all its texts, and search reads them until then.
func (t *tx) addWords(ctx context.Context, id domain.InteractionID, text string) error {
	var sealed []byte
	err := t.db.NewSelect().Model((*wordsRow)(nil)).Column("words_sealed").
		Where("interaction_id = ?", string(id)).Scan(ctx, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return translate(err)
	}
	words, err := t.keys.Open(sealed, aad(wordsColumn, string(id)))
	if err != nil {
		return err
	}
	more := domain.IndexWords(words, text)
	if more == words {
		return nil
	}
	_, err = t.db.NewUpdate().Model((*wordsRow)(nil)).Set("words_sealed = ?", t.sealWords(id, more)).
		Where("interaction_id = ?", string(id)).Exec(ctx)
	return translate(err)
}

// missingWords is the condition on an interaction i that IndexMissing
// builds its word index: not erased, and none yet.
const missingWords = "i.erased_at IS NULL AND NOT EXISTS (SELECT 1 FROM interaction_words AS w WHERE w.interaction_id = i.id)"

func (s search) AnyMissing(ctx context.Context) (bool, error) {
	var ids []string
	err := s.db.NewSelect().TableExpr("interactions AS i").ColumnExpr("i.id").Where(missingWords).Limit(1).Scan(ctx, &ids)
	return len(ids) > 0, translate(err)
}

// indexMissing builds the word index of up to limit interactions, not
// erased, that have none, and returns how many it built. Their rows are
// locked first, in id order (two instances' housekeeping never deadlock),
// so a text being added to one is either in the texts read here or added
// to the index after it; the INSERT does nothing for an interaction
// another instance indexed meanwhile.
func (s search) indexMissing(ctx context.Context, limit int) (int, error) {
	var ids []string
	q := s.lockedSelect().TableExpr("interactions AS i").ColumnExpr("i.id").
		Where(missingWords).OrderExpr("i.id").Limit(int64(limit))
	if err := q.Scan(ctx, &ids); err != nil {
		return 0, translate(err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	texts := make(map[string][]string, len(ids))
	err := s.eachText(ctx, ids, func(t sealedText) error {
		text, err := s.keys.Open(t.sealed, aad(t.column, t.id))
		texts[t.interaction] = append(texts[t.interaction], text)
		return err
	})
	if err != nil {
		return 0, err
	}
	rows := make([]*wordsRow, len(ids))
	for n, id := range ids {
		rows[n] = s.newWordsRow(domain.InteractionID(id), texts[id]...)
	}
	if _, err := s.db.NewInsert().Model(&rows).On("CONFLICT (interaction_id) DO NOTHING").Exec(ctx); err != nil {
		return 0, translate(err)
	}
	return len(ids), nil
}

// forgetWords deletes the word indexes of the interactions ids (a bun.List
// or a subquery): erasure takes every text, and so their words.
func forgetWords(ctx context.Context, db bun.IDB, ids any) error {
	_, err := db.NewDelete().Model((*wordsRow)(nil)).Where("interaction_id IN (?)", ids).Exec(ctx)
	return translate(err)
}
