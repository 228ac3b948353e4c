package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
)

type orgRow struct {
	bun.BaseModel `bun:"table:organisations"`

	ID              string     `bun:"id,pk"`
	Name            string     `bun:"name"`
	Status          string     `bun:"status"`
	RetentionMonths int        `bun:"retention_months"`
	TrialEndsAt     *time.Time `bun:"trial_ends_at"`
	SwearWords      jsonList   `bun:"swear_words"`
	RequireTOTP     bool       `bun:"require_totp"`
	CreatedAt       time.Time  `bun:"created_at"`
	// The contact's name and address, sealed.
	ContactNameSealed  []byte `bun:"contact_name_sealed"`
	ContactEmailSealed []byte `bun:"contact_email_sealed"`
}

type organisations struct{ *tx }

func (o organisations) toRow(org *domain.Organisation) *orgRow {
	return &orgRow{
		ID: string(org.ID), Name: org.Name, Status: string(org.Status), RetentionMonths: int(org.Retention),
		TrialEndsAt: org.TrialEndsAt, SwearWords: jsonList(org.SwearWords), RequireTOTP: org.RequireTOTP, CreatedAt: org.CreatedAt,
		ContactNameSealed:  o.keys.Seal(org.Contact.Name, aad("organisations.contact_name", string(org.ID))),
		ContactEmailSealed: o.keys.Seal(org.Contact.Email, aad("organisations.contact_email", string(org.ID))),
	}
}

func (o organisations) fromRow(r *orgRow) (*domain.Organisation, error) {
	org := &domain.Organisation{
		ID: domain.OrgID(r.ID), Name: r.Name, Status: domain.OrgStatus(r.Status),
		Retention: domain.Retention(r.RetentionMonths), TrialEndsAt: utcPtr(r.TrialEndsAt), SwearWords: []string(r.SwearWords), RequireTOTP: r.RequireTOTP, CreatedAt: r.CreatedAt.UTC(),
	}
	if err := openFields(o.keys, r.ID,
		sealedField{&org.Contact.Name, r.ContactNameSealed, "organisations.contact_name"},
		sealedField{&org.Contact.Email, r.ContactEmailSealed, "organisations.contact_email"},
	); err != nil {
		return nil, err
	}
	return org, nil
}

func (o organisations) Create(ctx context.Context, org *domain.Organisation) error {
	_, err := o.db.NewInsert().Model(o.toRow(org)).Exec(ctx)
	return translate(err)
}

func (o organisations) Get(ctx context.Context, id domain.OrgID) (*domain.Organisation, error) {
	var row orgRow
	if err := o.db.NewSelect().Model(&row).Where("id = ?", string(id)).Scan(ctx); err != nil {
		return nil, notFound(err, "organisation")
	}
	return o.fromRow(&row)
}

func (o organisations) List(ctx context.Context) ([]*domain.Organisation, error) {
	var rows []orgRow
	if err := o.db.NewSelect().Model(&rows).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]*domain.Organisation, len(rows))
	for i := range rows {
		org, err := o.fromRow(&rows[i])
		if err != nil {
			return nil, err
		}
		out[i] = org
	}
	return out, nil
}

func (o organisations) Change(ctx context.Context, id domain.OrgID, change func(org *domain.Organisation) error) (*domain.Organisation, error) {
	var row orgRow
	q := o.lockedSelect().Model(&row).Where("id = ?", string(id))
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "organisation")
	}
	before, err := o.fromRow(&row)
	if err != nil {
		return nil, err
	}
	org, _ := o.fromRow(&row) // a second copy, for change to alter: the row opened once already
	if err := change(org); err != nil {
		return nil, err
	}
	if org.ID != before.ID || !org.CreatedAt.Equal(before.CreatedAt) {
		return nil, &domain.Error{Kind: domain.KindInternal, Err: errors.New("store: an organisation's id and creation time never change")}
	}
	after := o.toRow(org)
	u := o.updateRow((*orgRow)(nil), string(id))
	u.set(org.Name != before.Name, "name", after.Name)
	u.set(org.Status != before.Status, "status", after.Status)
	u.set(org.Retention != before.Retention, "retention_months", after.RetentionMonths)
	u.set(!sameTime(org.TrialEndsAt, before.TrialEndsAt), "trial_ends_at", after.TrialEndsAt)
	u.set(!slices.Equal(org.SwearWords, before.SwearWords), "swear_words", after.SwearWords)
	u.set(org.RequireTOTP != before.RequireTOTP, "require_totp", after.RequireTOTP)
	u.set(org.Contact.Name != before.Contact.Name, "contact_name_sealed", after.ContactNameSealed)
	u.set(org.Contact.Email != before.Contact.Email, "contact_email_sealed", after.ContactEmailSealed)
	if err := u.exec(ctx, "organisation"); err != nil {
		return nil, err
	}
	return org, nil
}

func (o organisations) Lock(ctx context.Context, id domain.OrgID) error {
	q := o.lockedSelect().Model((*orgRow)(nil)).Column("id").Where("id = ?", string(id))
	var got string
	if err := q.Scan(ctx, &got); err != nil {
		return notFound(err, "organisation")
	}
	return nil
}

// trialReminderRow is a trial reminder sent.
type trialReminderRow struct {
	bun.BaseModel `bun:"table:trial_reminders"`

	OrgID       string    `bun:"org_id,pk"`
	TrialEndsAt time.Time `bun:"trial_ends_at,pk"`
	Days        int       `bun:"days,pk"`
	SentAt      time.Time `bun:"sent_at"`
}

func (o organisations) TakeTrialReminder(ctx context.Context, id domain.OrgID, trialEndsAt time.Time, days int, now time.Time) (bool, error) {
	res, err := o.db.NewInsert().Model(&trialReminderRow{OrgID: string(id), TrialEndsAt: trialEndsAt.UTC(), Days: days, SentAt: now}).
		On("CONFLICT DO NOTHING").Exec(ctx)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n == 1, translate(err)
}
