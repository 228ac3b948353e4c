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
		IDHash: s.secretIndex(secretSession, sess.IDHash), StaffID: string(sess.StaffID), CreatedAt: sess.CreatedAt, LastSeenAt: sess.LastSeenAt,
	}).Exec(ctx)
	return translate(err)
}

func (s sessions) Get(ctx context.Context, idHash string) (*domain.Session, error) {
	var row sessionRow
	if err := s.db.NewSelect().Model(&row).Where("id_hash IN (?)", s.secretLookups(secretSession, idHash)).Scan(ctx); err != nil {
		return nil, notFound(err, "session")
	}
	return &domain.Session{
		IDHash: idHash, StaffID: domain.StaffID(row.StaffID),
		CreatedAt: row.CreatedAt.UTC(), LastSeenAt: row.LastSeenAt.UTC(),
	}, nil
}

func (s sessions) Touch(ctx context.Context, idHash string, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*sessionRow)(nil)).Set("last_seen_at = ?", now).
		Where("id_hash IN (?)", s.secretLookups(secretSession, idHash)).Exec(ctx)
	return mustAffect(res, err, "session")
}

func (s sessions) Delete(ctx context.Context, idHash string) error {
	_, err := s.db.NewDelete().Model((*sessionRow)(nil)).Where("id_hash IN (?)", s.secretLookups(secretSession, idHash)).Exec(ctx)
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

func (f signInFailures) Lock(ctx context.Context, key string) (int, time.Time, error) {
	// One statement creates the row or, by updating it to itself, locks
	// it (on SQLite the write transaction already holds everything), and
	// answers with it. A SELECT … FOR UPDATE after an INSERT … DO NOTHING
	// would find no row when a concurrent Clear deleted it meanwhile.
	row := signInFailureRow{KeyIndex: f.index(key), LastFailureAt: time.Time{}.UTC()}
	err := f.db.NewInsert().Model(&row).
		On("CONFLICT (key_index) DO UPDATE").
		Set("failures = ?TableAlias.failures").
		Returning("failures, last_failure_at").
		Scan(ctx)
	if err != nil {
		return 0, time.Time{}, translate(err)
	}
	return row.Failures, row.LastFailureAt.UTC(), nil
}

func (f signInFailures) Set(ctx context.Context, key string, failures int, last time.Time) error {
	_, err := f.db.NewInsert().Model(&signInFailureRow{KeyIndex: f.index(key), Failures: failures, LastFailureAt: storedTime(last)}).
		On("CONFLICT (key_index) DO UPDATE").
		Set("failures = EXCLUDED.failures").
		Set("last_failure_at = EXCLUDED.last_failure_at").
		Exec(ctx)
	return translate(err)
}

func (f signInFailures) GiveBack(ctx context.Context, key string, counted int, at, prev time.Time) error {
	// SET's right-hand sides all see the row as it was.
	_, err := f.db.NewUpdate().Model((*signInFailureRow)(nil)).
		Set("failures = failures - 1").
		Set("last_failure_at = CASE WHEN failures = ? AND last_failure_at = ? THEN ? ELSE last_failure_at END",
			counted, storedTime(at), storedTime(prev)).
		Where("key_index = ?", f.index(key)).Where("failures > 0").Exec(ctx)
	return translate(err)
}

// storedTime is t as the store keeps it, in UTC to the microsecond, so
// that a time written can be compared with the same time later.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

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
