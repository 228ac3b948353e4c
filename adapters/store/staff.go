package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

type staffRow struct {
	bun.BaseModel `bun:"table:staff"`

	ID              string    `bun:"id,pk"`
	OrgID           string    `bun:"org_id"`
	EmailSealed     []byte    `bun:"email_sealed"`
	EmailIndex      string    `bun:"email_index"`
	FirstNameSealed []byte    `bun:"first_name_sealed"`
	LastNameSealed  []byte    `bun:"last_name_sealed"`
	Role            string    `bun:"role"`
	PasswordHash    string    `bun:"password_hash"`
	CreatedAt       time.Time `bun:"created_at"`
}

type staffInboxRow struct {
	bun.BaseModel `bun:"table:staff_inboxes"`

	StaffID string `bun:"staff_id,pk"`
	InboxID string `bun:"inbox_id,pk"`
}

type passwordLinkRow struct {
	bun.BaseModel `bun:"table:password_links"`

	TokenHash string     `bun:"token_hash,pk"`
	StaffID   string     `bun:"staff_id"`
	ExpiresAt time.Time  `bun:"expires_at"`
	UsedAt    *time.Time `bun:"used_at"`
	CreatedAt time.Time  `bun:"created_at"`
}

// staffEmailIndex is the blind index of a staff address: the whole address
// in lower case, so sign-in finds an account however the address is typed.
func staffEmailIndex(keys *seal.Keyring, email string) string {
	return keys.Index("staff.email", seal.NormaliseEmailForIndex(email))
}

type staffRepo struct{ *tx }

func (s staffRepo) toRow(m *domain.Staff) *staffRow {
	return &staffRow{
		ID: string(m.ID), OrgID: string(m.OrgID),
		EmailSealed:     s.keys.Seal(m.Email, aad("staff.email", string(m.ID))),
		EmailIndex:      staffEmailIndex(s.keys, m.Email),
		FirstNameSealed: s.keys.Seal(m.FirstName, aad("staff.first_name", string(m.ID))),
		LastNameSealed:  s.keys.Seal(m.LastName, aad("staff.last_name", string(m.ID))),
		Role:            string(m.Role), PasswordHash: m.PasswordHash, CreatedAt: m.CreatedAt,
	}
}

func (s staffRepo) fromRow(r *staffRow) (*domain.Staff, error) {
	m := &domain.Staff{
		ID: domain.StaffID(r.ID), OrgID: domain.OrgID(r.OrgID), Role: domain.Role(r.Role),
		PasswordHash: r.PasswordHash, CreatedAt: r.CreatedAt.UTC(),
	}
	if err := openFields(s.keys, r.ID,
		sealedField{&m.Email, r.EmailSealed, "staff.email"},
		sealedField{&m.FirstName, r.FirstNameSealed, "staff.first_name"},
		sealedField{&m.LastName, r.LastNameSealed, "staff.last_name"},
	); err != nil {
		return nil, err
	}
	return m, nil
}

func (s staffRepo) Create(ctx context.Context, m *domain.Staff) error {
	if _, err := s.db.NewInsert().Model(s.toRow(m)).Exec(ctx); err != nil {
		err = translate(err)
		if domain.KindOf(err) == domain.KindConflict {
			return &domain.Error{Kind: domain.KindConflict, Safe: "an account with that email address exists", Err: err}
		}
		return err
	}
	return s.assign(ctx, m)
}

// assign writes m's inbox assignments, replacing any it had.
func (s staffRepo) assign(ctx context.Context, m *domain.Staff) error {
	if _, err := s.db.NewDelete().Model((*staffInboxRow)(nil)).Where("staff_id = ?", string(m.ID)).Exec(ctx); err != nil {
		return translate(err)
	}
	if len(m.InboxIDs) == 0 {
		return nil
	}
	rows := make([]staffInboxRow, len(m.InboxIDs))
	for i, id := range m.InboxIDs {
		rows[i] = staffInboxRow{StaffID: string(m.ID), InboxID: string(id)}
	}
	_, err := s.db.NewInsert().Model(&rows).Exec(ctx)
	return translate(err)
}

func (s staffRepo) Get(ctx context.Context, id domain.StaffID) (*domain.Staff, error) {
	return s.one(ctx, "id = ?", string(id))
}

func (s staffRepo) GetByEmail(ctx context.Context, email string) (*domain.Staff, error) {
	return s.one(ctx, "email_index = ?", staffEmailIndex(s.keys, email))
}

func (s staffRepo) one(ctx context.Context, where string, arg any) (*domain.Staff, error) {
	var row staffRow
	if err := s.db.NewSelect().Model(&row).Where(where, arg).Scan(ctx); err != nil {
		return nil, notFound(err, "staff member")
	}
	list, err := s.withInboxes(ctx, []staffRow{row})
	if err != nil {
		return nil, err
	}
	return list[0], nil
}

func (s staffRepo) List(ctx context.Context, filter ports.StaffFilter) ([]*domain.Staff, error) {
	var rows []staffRow
	q := s.db.NewSelect().Model(&rows).Order("created_at", "id")
	if filter.OrgID != nil {
		q = q.Where("org_id = ?", string(*filter.OrgID))
	}
	if filter.InboxID != nil {
		q = q.Where("id IN (SELECT staff_id FROM staff_inboxes WHERE inbox_id = ?)", string(*filter.InboxID))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	return s.withInboxes(ctx, rows)
}

// withInboxes opens rows and loads their inbox assignments in one query.
func (s staffRepo) withInboxes(ctx context.Context, rows []staffRow) ([]*domain.Staff, error) {
	out := make([]*domain.Staff, len(rows))
	byID := make(map[string]*domain.Staff, len(rows))
	ids := make([]string, len(rows))
	for i := range rows {
		m, err := s.fromRow(&rows[i])
		if err != nil {
			return nil, err
		}
		out[i], byID[rows[i].ID], ids[i] = m, m, rows[i].ID
	}
	if len(ids) == 0 {
		return out, nil
	}
	var links []staffInboxRow
	if err := s.db.NewSelect().Model(&links).Where("staff_id IN (?)", bun.In(ids)).
		Order("staff_id", "inbox_id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	for _, l := range links {
		byID[l.StaffID].InboxIDs = append(byID[l.StaffID].InboxIDs, domain.InboxID(l.InboxID))
	}
	return out, nil
}

func (s staffRepo) Update(ctx context.Context, m *domain.Staff) error {
	res, err := s.db.NewUpdate().Model(s.toRow(m)).
		Column("email_sealed", "email_index", "first_name_sealed", "last_name_sealed", "role", "password_hash").
		WherePK().Exec(ctx)
	if err := mustAffect(res, err, "staff member"); err != nil {
		return err
	}
	return s.assign(ctx, m)
}

func (s staffRepo) AddPasswordLink(ctx context.Context, link *domain.PasswordLink) error {
	_, err := s.db.NewInsert().Model(&passwordLinkRow{
		TokenHash: link.TokenHash, StaffID: string(link.StaffID), ExpiresAt: link.ExpiresAt, CreatedAt: link.CreatedAt,
	}).Exec(ctx)
	return translate(err)
}
