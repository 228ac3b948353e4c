package store

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

type staffRow struct {
	bun.BaseModel `bun:"table:staff"`

	ID               string     `bun:"id,pk"`
	OrgID            string     `bun:"org_id"`
	EmailSealed      []byte     `bun:"email_sealed"`
	EmailIndex       string     `bun:"email_index"`
	FirstNameSealed  []byte     `bun:"first_name_sealed"`
	LastNameSealed   []byte     `bun:"last_name_sealed"`
	Role             string     `bun:"role"`
	PasswordHash     string     `bun:"password_hash"`
	TOTPSecretSealed []byte     `bun:"totp_secret_sealed"`
	TOTPEnabled      bool       `bun:"totp_enabled"`
	TOTPLastStep     int64      `bun:"totp_last_step"`
	TOTPEnrol        bool       `bun:"totp_enrol"`
	Language         string     `bun:"language"`
	CreatedAt        time.Time  `bun:"created_at"`
	RemovedAt        *time.Time `bun:"removed_at"`
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
		EmailIndex:      s.emailIndexOf(m),
		FirstNameSealed: s.keys.Seal(m.FirstName, aad("staff.first_name", string(m.ID))),
		LastNameSealed:  s.keys.Seal(m.LastName, aad("staff.last_name", string(m.ID))),
		Role:            string(m.Role), PasswordHash: m.PasswordHash,
		TOTPSecretSealed: s.keys.Seal(m.TOTPSecret, aad("staff.totp_secret", string(m.ID))),
		TOTPEnabled:      m.TOTPEnabled, TOTPLastStep: m.TOTPLastStep, TOTPEnrol: m.EnrolTOTP,
		Language: string(staffLanguage(m.Language)), CreatedAt: m.CreatedAt, RemovedAt: m.RemovedAt,
	}
}

// emailIndexOf is the blind index of m's address, or, once m is removed,
// a tombstone: a removed account frees its address for a new invitation,
// and the index must stay unique. A member whose address signs in to
// another organisation's account gets a placeholder of its own, so that
// sign-in (GetByEmail) still finds one account: the other.
func (s staffRepo) emailIndexOf(m *domain.Staff) string {
	switch {
	case m.RemovedAt != nil:
		return "removed:" + string(m.ID)
	case m.SignsInElsewhere:
		return signsInElsewhere + string(m.ID)
	}
	return staffEmailIndex(s.keys, m.Email)
}

// refuseOlderIndex keeps an address unique while a key rotation is under
// way: the unique index sees only equal blind indexes, and an account not
// yet re-indexed holds its address's index under the old key.
func (s staffRepo) refuseOlderIndex(ctx context.Context, m *domain.Staff) error {
	lookups := s.keys.Lookups("staff.email", seal.NormaliseEmailForIndex(m.Email))
	if m.RemovedAt != nil || m.SignsInElsewhere || len(lookups) < 2 {
		return nil
	}
	taken, err := s.db.NewSelect().Model((*staffRow)(nil)).Where("email_index IN (?)", bun.List(lookups[1:])).
		Where("id <> ?", string(m.ID)).Exists(ctx)
	if err != nil {
		return translate(err)
	}
	if taken {
		return domain.Errorf(domain.KindConflict, "an account with that email address exists")
	}
	return nil
}

// staffLanguage is the language stored for a member: English until they
// choose Welsh.
func staffLanguage(l domain.Language) domain.Language {
	if l == domain.Welsh {
		return l
	}
	return domain.English
}

// signsInElsewhere begins the email_index placeholder of a member who
// SignsInElsewhere. No blind index (64 hex digits) begins so.
const signsInElsewhere = "elsewhere:"

func (s staffRepo) fromRow(r *staffRow) (*domain.Staff, error) {
	m := &domain.Staff{
		ID: domain.StaffID(r.ID), OrgID: domain.OrgID(r.OrgID), Role: domain.Role(r.Role),
		PasswordHash: r.PasswordHash, TOTPEnabled: r.TOTPEnabled, TOTPLastStep: r.TOTPLastStep, EnrolTOTP: r.TOTPEnrol,
		Language: domain.Language(r.Language), CreatedAt: r.CreatedAt.UTC(), RemovedAt: utcPtr(r.RemovedAt),
		SignsInElsewhere: strings.HasPrefix(r.EmailIndex, signsInElsewhere),
	}
	if err := openFields(s.keys, r.ID,
		sealedField{&m.Email, r.EmailSealed, "staff.email"},
		sealedField{&m.FirstName, r.FirstNameSealed, "staff.first_name"},
		sealedField{&m.LastName, r.LastNameSealed, "staff.last_name"},
		sealedField{&m.TOTPSecret, r.TOTPSecretSealed, "staff.totp_secret"},
	); err != nil {
		return nil, err
	}
	return m, nil
}

func (s staffRepo) Create(ctx context.Context, m *domain.Staff) error {
	err := s.refuseOlderIndex(ctx, m)
	if err == nil {
		_, err = s.db.NewInsert().Model(s.toRow(m)).Exec(ctx)
	}
	if err != nil {
		err = translate(err)
		if domain.KindOf(err) == domain.KindConflict {
			return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("an account with that email address exists"), Err: err}
		}
		return err
	}
	return s.reassign(ctx, m.ID, nil, m.InboxIDs)
}

func (s staffRepo) Get(ctx context.Context, id domain.StaffID) (*domain.Staff, error) {
	return s.one(ctx, "id = ?", string(id))
}

func (s staffRepo) GetByEmail(ctx context.Context, email string) (*domain.Staff, error) {
	return s.one(ctx, "email_index IN (?)", bun.List(s.keys.Lookups("staff.email", seal.NormaliseEmailForIndex(email))))
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
	if !filter.IncludeRemoved {
		q = q.Where("removed_at IS NULL")
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
	if err := s.db.NewSelect().Model(&links).Where("staff_id IN (?)", bun.List(ids)).
		Order("staff_id", "inbox_id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	for _, l := range links {
		byID[l.StaffID].InboxIDs = append(byID[l.StaffID].InboxIDs, domain.InboxID(l.InboxID))
	}
	return out, nil
}

// Change reads the staff member as they are now, locked until the
// transaction ends (SQLite's write transaction holds the whole database),
// lets change alter them, and writes only the columns change altered, and
// the inbox assignments only if they changed. Two transactions changing
// one member therefore take turns, and neither undoes the other.
func (s staffRepo) Change(ctx context.Context, id domain.StaffID, change func(m *domain.Staff) error) (*domain.Staff, error) {
	var row staffRow
	q := s.lockedSelect().Model(&row).Where("id = ?", string(id))
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "staff member")
	}
	list, err := s.withInboxes(ctx, []staffRow{row})
	if err != nil {
		return nil, err
	}
	m := list[0]
	before := *m
	before.InboxIDs = slices.Clone(m.InboxIDs)
	if err := change(m); err != nil {
		return nil, err
	}
	if m.ID != before.ID || m.OrgID != before.OrgID || !m.CreatedAt.Equal(before.CreatedAt) {
		return nil, &domain.Error{Kind: domain.KindInternal, Err: errors.New("store: a staff member's id, organisation and creation time never change")}
	}
	if err := s.writeChanges(ctx, &before, m); err != nil {
		return nil, err
	}
	if err := s.reassign(ctx, m.ID, before.InboxIDs, m.InboxIDs); err != nil {
		return nil, err
	}
	if m.Role != before.Role || !sameTime(m.RemovedAt, before.RemovedAt) || !slices.Equal(m.InboxIDs, before.InboxIDs) {
		// Whoever can no longer see an interaction assigned to them
		// is no longer its assignee (triage.go).
		if err := releaseStaff(ctx, s.db, m.ID); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// writeChanges updates the columns in which m differs from before, if any.
// Sealed values are compared before sealing: sealing the same value twice
// gives different bytes.
func (s staffRepo) writeChanges(ctx context.Context, before, m *domain.Staff) error {
	id := string(m.ID)
	if m.Email != before.Email || (m.RemovedAt == nil) != (before.RemovedAt == nil) {
		if err := s.refuseOlderIndex(ctx, m); err != nil {
			return err
		}
	}
	u := s.updateRow((*staffRow)(nil), id)
	u.set(m.Email != before.Email, "email_sealed", s.keys.Seal(m.Email, aad("staff.email", id)))
	u.set(m.Email != before.Email || (m.RemovedAt == nil) != (before.RemovedAt == nil) || m.SignsInElsewhere != before.SignsInElsewhere,
		"email_index", s.emailIndexOf(m))
	u.set(m.FirstName != before.FirstName, "first_name_sealed", s.keys.Seal(m.FirstName, aad("staff.first_name", id)))
	u.set(m.LastName != before.LastName, "last_name_sealed", s.keys.Seal(m.LastName, aad("staff.last_name", id)))
	u.set(m.Role != before.Role, "role", string(m.Role))
	u.set(m.PasswordHash != before.PasswordHash, "password_hash", m.PasswordHash)
	u.set(m.TOTPSecret != before.TOTPSecret, "totp_secret_sealed", s.keys.Seal(m.TOTPSecret, aad("staff.totp_secret", id)))
	u.set(m.TOTPEnabled != before.TOTPEnabled, "totp_enabled", m.TOTPEnabled)
	u.set(m.TOTPLastStep != before.TOTPLastStep, "totp_last_step", m.TOTPLastStep)
	u.set(m.EnrolTOTP != before.EnrolTOTP, "totp_enrol", m.EnrolTOTP)
	u.set(staffLanguage(m.Language) != staffLanguage(before.Language), "language", string(staffLanguage(m.Language)))
	u.set(!sameTime(m.RemovedAt, before.RemovedAt), "removed_at", m.RemovedAt)
	return u.exec(ctx, "staff member")
}

// reassign removes the member's assignments that are in before and not in
// after, and adds those in after and not in before.
func (s staffRepo) reassign(ctx context.Context, id domain.StaffID, before, after []domain.InboxID) error {
	var gone []string
	for _, ib := range before {
		if !slices.Contains(after, ib) {
			gone = append(gone, string(ib))
		}
	}
	var added []staffInboxRow
	for _, ib := range after {
		if !slices.Contains(before, ib) && !slices.ContainsFunc(added, func(r staffInboxRow) bool { return r.InboxID == string(ib) }) {
			added = append(added, staffInboxRow{StaffID: string(id), InboxID: string(ib)})
		}
	}
	if len(gone) > 0 {
		if _, err := s.db.NewDelete().Model((*staffInboxRow)(nil)).
			Where("staff_id = ?", string(id)).Where("inbox_id IN (?)", bun.List(gone)).Exec(ctx); err != nil {
			return translate(err)
		}
	}
	if len(added) > 0 {
		if _, err := s.db.NewInsert().Model(&added).Exec(ctx); err != nil {
			return translate(err)
		}
	}
	return nil
}

func (s staffRepo) SpendTOTPStep(ctx context.Context, id domain.StaffID, step int64) (bool, error) {
	res, err := s.db.NewUpdate().Model((*staffRow)(nil)).Set("totp_last_step = ?", step).
		Where("id = ?", string(id)).Where("totp_enabled").Where("totp_last_step < ?", step).Exec(ctx)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, translate(err)
}

func (s staffRepo) AddPasswordLink(ctx context.Context, link *domain.PasswordLink) error {
	_, err := s.db.NewInsert().Model(&passwordLinkRow{
		TokenHash: s.secretIndex(secretPasswordLink, link.TokenHash), StaffID: string(link.StaffID), ExpiresAt: link.ExpiresAt, CreatedAt: link.CreatedAt,
	}).Exec(ctx)
	return translate(err)
}

func (s staffRepo) GetPasswordLink(ctx context.Context, tokenHash string) (*domain.PasswordLink, error) {
	var row passwordLinkRow
	if err := s.db.NewSelect().Model(&row).Where("token_hash IN (?)", s.secretLookups(secretPasswordLink, tokenHash)).Scan(ctx); err != nil {
		return nil, notFound(err, "link")
	}
	return &domain.PasswordLink{
		TokenHash: tokenHash, StaffID: domain.StaffID(row.StaffID),
		ExpiresAt: row.ExpiresAt.UTC(), CreatedAt: row.CreatedAt.UTC(), UsedAt: utcPtr(row.UsedAt),
	}, nil
}

func (s staffRepo) UsePasswordLink(ctx context.Context, tokenHash string, now time.Time) error {
	res, err := s.db.NewUpdate().Model((*passwordLinkRow)(nil)).Set("used_at = ?", now).
		Where("token_hash IN (?)", s.secretLookups(secretPasswordLink, tokenHash)).Where("used_at IS NULL").Exec(ctx)
	if err := mustAffect(res, err, "link"); err != nil {
		if domain.KindOf(err) == domain.KindNotFound {
			return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("this link has already been used"), Err: err}
		}
		return err
	}
	return nil
}

type recoveryCodeRow struct {
	bun.BaseModel `bun:"table:staff_recovery_codes"`

	StaffID  string     `bun:"staff_id,pk"`
	CodeHash string     `bun:"code_hash,pk"`
	UsedAt   *time.Time `bun:"used_at"`
}

func (s staffRepo) SetRecoveryCodes(ctx context.Context, id domain.StaffID, hashes []string) error {
	if _, err := s.db.NewDelete().Model((*recoveryCodeRow)(nil)).Where("staff_id = ?", string(id)).Exec(ctx); err != nil {
		return translate(err)
	}
	if len(hashes) == 0 {
		return nil
	}
	rows := make([]recoveryCodeRow, len(hashes))
	for i, h := range hashes {
		rows[i] = recoveryCodeRow{StaffID: string(id), CodeHash: s.secretIndex(secretRecoveryCode, h)}
	}
	_, err := s.db.NewInsert().Model(&rows).Exec(ctx)
	return translate(err)
}

func (s staffRepo) UseRecoveryCode(ctx context.Context, id domain.StaffID, hash string, now time.Time) (bool, error) {
	res, err := s.db.NewUpdate().Model((*recoveryCodeRow)(nil)).Set("used_at = ?", now).
		Where("staff_id = ?", string(id)).Where("code_hash IN (?)", s.secretLookups(secretRecoveryCode, hash)).Where("used_at IS NULL").Exec(ctx)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, translate(err)
}

func (s staffRepo) RecoveryCodesLeft(ctx context.Context, id domain.StaffID) (int, error) {
	n, err := s.db.NewSelect().Model((*recoveryCodeRow)(nil)).
		Where("staff_id = ?", string(id)).Where("used_at IS NULL").Count(ctx)
	return int(n), translate(err)
}

func (s staffRepo) ForgetPasswordLinksBefore(ctx context.Context, t time.Time) (int, error) {
	return rowsAffected(s.db.NewDelete().Model((*passwordLinkRow)(nil)).Where("expires_at < ?", t).Exec(ctx))
}
