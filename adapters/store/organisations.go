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
}

func orgToRow(o *domain.Organisation) *orgRow {
	return &orgRow{
		ID: string(o.ID), Name: o.Name, Status: string(o.Status), RetentionMonths: int(o.Retention),
		TrialEndsAt: o.TrialEndsAt, SwearWords: jsonList(o.SwearWords), RequireTOTP: o.RequireTOTP, CreatedAt: o.CreatedAt,
	}
}

func (r *orgRow) domain() *domain.Organisation {
	return &domain.Organisation{
		ID: domain.OrgID(r.ID), Name: r.Name, Status: domain.OrgStatus(r.Status),
		Retention: domain.Retention(r.RetentionMonths), TrialEndsAt: utcPtr(r.TrialEndsAt), SwearWords: []string(r.SwearWords), RequireTOTP: r.RequireTOTP, CreatedAt: r.CreatedAt.UTC(),
	}
}

type organisations struct{ *tx }

func (o organisations) Create(ctx context.Context, org *domain.Organisation) error {
	_, err := o.db.NewInsert().Model(orgToRow(org)).Exec(ctx)
	return translate(err)
}

func (o organisations) Get(ctx context.Context, id domain.OrgID) (*domain.Organisation, error) {
	var row orgRow
	if err := o.db.NewSelect().Model(&row).Where("id = ?", string(id)).Scan(ctx); err != nil {
		return nil, notFound(err, "organisation")
	}
	return row.domain(), nil
}

func (o organisations) List(ctx context.Context) ([]*domain.Organisation, error) {
	var rows []orgRow
	if err := o.db.NewSelect().Model(&rows).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]*domain.Organisation, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

func (o organisations) Change(ctx context.Context, id domain.OrgID, change func(org *domain.Organisation) error) (*domain.Organisation, error) {
	var row orgRow
	q := o.lockedSelect().Model(&row).Where("id = ?", string(id))
	if err := q.Scan(ctx); err != nil {
		return nil, notFound(err, "organisation")
	}
	before, org := row.domain(), row.domain()
	if err := change(org); err != nil {
		return nil, err
	}
	if org.ID != before.ID || !org.CreatedAt.Equal(before.CreatedAt) {
		return nil, &domain.Error{Kind: domain.KindInternal, Err: errors.New("store: an organisation's id and creation time never change")}
	}
	after := orgToRow(org)
	u := o.updateRow((*orgRow)(nil), string(id))
	u.set(org.Name != before.Name, "name", after.Name)
	u.set(org.Status != before.Status, "status", after.Status)
	u.set(org.Retention != before.Retention, "retention_months", after.RetentionMonths)
	u.set(!sameTime(org.TrialEndsAt, before.TrialEndsAt), "trial_ends_at", after.TrialEndsAt)
	u.set(!slices.Equal(org.SwearWords, before.SwearWords), "swear_words", after.SwearWords)
	u.set(org.RequireTOTP != before.RequireTOTP, "require_totp", after.RequireTOTP)
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
