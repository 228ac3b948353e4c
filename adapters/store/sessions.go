package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

type sessionRow struct {
	bun.BaseModel `bun:"table:staff_sessions"`

	IDHash     string    `bun:"id_hash,pk"`
	StaffID    string    `bun:"staff_id"`
	CreatedAt  time.Time `bun:"created_at"`
	LastSeenAt time.Time `bun:"last_seen_at"`
}

type sessions struct{ *tx }

func (s sessions) Create(ctx context.Context, sess *domain.Session) error {
	_, err := s.db.NewInsert().Model(&sessionRow{
		IDHash: sess.IDHash, StaffID: string(sess.StaffID), CreatedAt: sess.CreatedAt, LastSeenAt: sess.LastSeenAt,
	}).Exec(ctx)
	return translate(err)
}

func (s sessions) Get(ctx context.Context, idHash string) (*domain.Session, error) {
	var row sessionRow
	if err := s.db.NewSelect().Model(&row).Where("id_hash = ?", idHash).Scan(ctx); err != nil {
		return nil, notFound(err, "session")
	}
	return &domain.Session{
		IDHash: row.IDHash, StaffID: domain.StaffID(row.StaffID),
		CreatedAt: row.CreatedAt.UTC(), LastSeenAt: row.LastSeenAt.UTC(),
	}, nil
}

func (s sessions) Touch(ctx context.Context, idHash string, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*sessionRow)(nil)).Set("last_seen_at = ?", now).
		Where("id_hash = ?", idHash).Exec(ctx)
	return mustAffect(res, err, "session")
}

func (s sessions) Delete(ctx context.Context, idHash string) error {
	_, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("id_hash = ?", idHash).Exec(ctx)
	return translate(err)
}

func (s sessions) DeleteForStaff(ctx context.Context, id domain.StaffID) error {
	_, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("staff_id = ?", string(id)).Exec(ctx)
	return translate(err)
}

type signInFailureRow struct {
	bun.BaseModel `bun:"table:signin_failures"`

	KeyIndex      string    `bun:"key_index,pk"`
	Failures      int       `bun:"failures"`
	LastFailureAt time.Time `bun:"last_failure_at"`
}

// signInFailures keys its rows by a blind index: the keys are email
// addresses and IP addresses.
type signInFailures struct{ *tx }

func (f signInFailures) index(key string) string { return f.keys.Index("signin", key) }

func (f signInFailures) Get(ctx context.Context, key string) (int, time.Time, error) {
	var row signInFailureRow
	err := f.db.NewSelect().Model(&row).Where("key_index = ?", f.index(key)).Scan(ctx)
	if err != nil {
		if err = translate(err); domain.KindOf(err) == domain.KindNotFound {
			return 0, time.Time{}, nil
		}
		return 0, time.Time{}, err
	}
	return row.Failures, row.LastFailureAt.UTC(), nil
}

func (f signInFailures) Add(ctx context.Context, key string, now time.Time) error {
	_, err := f.db.NewInsert().Model(&signInFailureRow{KeyIndex: f.index(key), Failures: 1, LastFailureAt: now}).
		On("CONFLICT (key_index) DO UPDATE").
		Set("failures = ?TableAlias.failures + 1").
		Set("last_failure_at = EXCLUDED.last_failure_at").
		Exec(ctx)
	return translate(err)
}

func (f signInFailures) Clear(ctx context.Context, key string) error {
	_, err := f.db.NewDelete().Model((*signInFailureRow)(nil)).Where("key_index = ?", f.index(key)).Exec(ctx)
	return translate(err)
}

func (s sessions) DeleteIdleSince(ctx context.Context, t time.Time) (int, error) {
	return rowsAffected(s.db.NewDelete().Model((*sessionRow)(nil)).Where("last_seen_at < ?", t).Exec(ctx))
}

func (f signInFailures) ForgetBefore(ctx context.Context, t time.Time) (int, error) {
	return rowsAffected(f.db.NewDelete().Model((*signInFailureRow)(nil)).Where("last_failure_at < ?", t).Exec(ctx))
}
