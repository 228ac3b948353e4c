package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

type formRow struct {
	bun.BaseModel `bun:"table:forms"`

	ID           string    `bun:"id,pk"`
	OrgID        string    `bun:"org_id"`
	Name         string    `bun:"name"`
	Code         string    `bun:"code"`
	Intro        string    `bun:"intro"`
	ResponseTime string    `bun:"response_time"`
	OutOfHours   string    `bun:"out_of_hours"`
	IntroCy      string    `bun:"intro_cy"`
	ResponseCy   string    `bun:"response_time_cy"`
	OutOfHoursCy string    `bun:"out_of_hours_cy"`
	PrivacyURL   string    `bun:"privacy_url"`
	Language     string    `bun:"language"`
	SwearPolicy  string    `bun:"swear_policy"`
	Open         bool      `bun:"open"`
	CreatedAt    time.Time `bun:"created_at"`
	// ResponseTargetHours: see domain.Form; 0 is stored as the default.
	ResponseTargetHours int `bun:"response_target_hours"`
}

func formToRow(f *domain.Form) *formRow {
	return &formRow{
		ID: string(f.ID), OrgID: string(f.OrgID), Name: f.Name, Code: string(f.Code),
		Intro: f.Intro, ResponseTime: f.ResponseTime, OutOfHours: f.OutOfHours, PrivacyURL: f.PrivacyURL,
		IntroCy: f.IntroCy, ResponseCy: f.ResponseTimeCy, OutOfHoursCy: f.OutOfHoursCy,
		Language: string(f.Language), SwearPolicy: string(f.SwearPolicy), Open: f.Open, CreatedAt: f.CreatedAt,
		ResponseTargetHours: cmp.Or(f.ResponseTargetHours, domain.DefaultResponseTargetHours),
	}
}

func (r *formRow) domain() *domain.Form {
	return &domain.Form{
		ID: domain.FormID(r.ID), OrgID: domain.OrgID(r.OrgID), Name: r.Name, Code: domain.FormCode(r.Code),
		Intro: r.Intro, ResponseTime: r.ResponseTime, OutOfHours: r.OutOfHours, PrivacyURL: r.PrivacyURL,
		IntroCy: r.IntroCy, ResponseTimeCy: r.ResponseCy, OutOfHoursCy: r.OutOfHoursCy,
		Language: domain.Language(r.Language), SwearPolicy: domain.SwearPolicy(r.SwearPolicy),
		Open: r.Open, CreatedAt: r.CreatedAt.UTC(), ResponseTargetHours: r.ResponseTargetHours,
	}
}

type forms struct{ *tx }

func (f forms) Create(ctx context.Context, form *domain.Form) error {
	_, err := f.db.NewInsert().Model(formToRow(form)).Exec(ctx)
	return codeConflict(err, form.Code)
}

// codeConflict words a unique violation on a form's code for the person who
// chose it.
func codeConflict(err error, code domain.FormCode) error {
	err = translate(err)
	if domain.KindOf(err) == domain.KindConflict {
		return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("the form code %s is taken", code), Err: err}
	}
	return err
}

func (f forms) Get(ctx context.Context, id domain.FormID) (*domain.Form, error) {
	return f.one(ctx, "id = ?", string(id))
}

func (f forms) GetByCode(ctx context.Context, code domain.FormCode) (*domain.Form, error) {
	return f.one(ctx, "code = ?", string(code))
}

func (f forms) one(ctx context.Context, where string, arg any) (*domain.Form, error) {
	var row formRow
	if err := f.db.NewSelect().Model(&row).Where(where, arg).Scan(ctx); err != nil {
		return nil, notFound(err, "form")
	}
	return row.domain(), nil
}

func (f forms) List(ctx context.Context, filter ports.FormFilter) ([]*domain.Form, error) {
	var rows []formRow
	q := f.db.NewSelect().Model(&rows).Order("created_at", "id")
	if filter.OrgID != nil {
		q = q.Where("org_id = ?", string(*filter.OrgID))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]*domain.Form, len(rows))
	for i := range rows {
		out[i] = rows[i].domain()
	}
	return out, nil
}

// Change reads the form as it is now, locked until the transaction ends,
// lets change alter it, and writes only the columns change altered: an
// admin saving the form's texts cannot reopen a form another has just
// closed.
func (f forms) Change(ctx context.Context, id domain.FormID, change func(form *domain.Form) error) (*domain.Form, error) {
	var row formRow
	if err := f.lockedSelect().Model(&row).Where("id = ?", string(id)).Scan(ctx); err != nil {
		return nil, notFound(err, "form")
	}
	before := row.domain()
	form := *before
	if err := change(&form); err != nil {
		return nil, err
	}
	if form.ID != before.ID || form.OrgID != before.OrgID || !form.CreatedAt.Equal(before.CreatedAt) {
		return nil, &domain.Error{Kind: domain.KindInternal, Err: errors.New("store: a form's id, organisation and creation time never change")}
	}
	after := formToRow(&form)
	u := f.updateRow((*formRow)(nil), string(id))
	u.set(form.Name != before.Name, "name", after.Name)
	u.set(form.Code != before.Code, "code", after.Code)
	u.set(form.Intro != before.Intro, "intro", after.Intro)
	u.set(form.ResponseTime != before.ResponseTime, "response_time", after.ResponseTime)
	u.set(form.OutOfHours != before.OutOfHours, "out_of_hours", after.OutOfHours)
	u.set(form.IntroCy != before.IntroCy, "intro_cy", after.IntroCy)
	u.set(form.ResponseTimeCy != before.ResponseTimeCy, "response_time_cy", after.ResponseCy)
	u.set(form.OutOfHoursCy != before.OutOfHoursCy, "out_of_hours_cy", after.OutOfHoursCy)
	u.set(form.PrivacyURL != before.PrivacyURL, "privacy_url", after.PrivacyURL)
	u.set(form.Language != before.Language, "language", after.Language)
	u.set(form.SwearPolicy != before.SwearPolicy, "swear_policy", after.SwearPolicy)
	u.set(form.Open != before.Open, "open", after.Open)
	u.set(form.ResponseTargetHours != before.ResponseTargetHours, "response_target_hours", after.ResponseTargetHours)
	if err := u.exec(ctx, "form"); err != nil {
		return nil, codeConflict(err, form.Code)
	}
	return &form, nil
}

type inboxRow struct {
	bun.BaseModel `bun:"table:inboxes"`

	ID           string     `bun:"id,pk"`
	FormID       string     `bun:"form_id"`
	OrgID        string     `bun:"org_id"`
	Name         string     `bun:"name"`
	NameKey      string     `bun:"name_key"`
	NameCy       string     `bun:"name_cy"`
	NameCyKey    string     `bun:"name_cy_key"`
	NotifySealed []byte     `bun:"notify_sealed"`
	Position     int        `bun:"position"`
	Texts        bool       `bun:"receives_texts"`
	ArchivedAt   *time.Time `bun:"archived_at"`
	CreatedAt    time.Time  `bun:"created_at"`
}

type inboxes struct{ *tx }

func (i inboxes) toRow(ib *domain.Inbox) (*inboxRow, error) {
	row := &inboxRow{
		ID: string(ib.ID), FormID: string(ib.FormID), OrgID: string(ib.OrgID), Name: ib.Name,
		NameKey: domain.InboxNameKey(ib.Name), NameCy: ib.NameCy, NameCyKey: domain.InboxNameKey(ib.NameCy), Position: ib.Position, Texts: ib.Texts, ArchivedAt: ib.ArchivedAt,
		CreatedAt: ib.CreatedAt,
	}
	if len(ib.Notify) > 0 {
		list, err := json.Marshal(ib.Notify)
		if err != nil {
			return nil, fmt.Errorf("store: encoding notification addresses: %w", err)
		}
		row.NotifySealed = i.keys.Seal(string(list), aad("inboxes.notify", row.ID))
	}
	return row, nil
}

func (i inboxes) fromRow(r *inboxRow) (*domain.Inbox, error) {
	ib := &domain.Inbox{
		ID: domain.InboxID(r.ID), FormID: domain.FormID(r.FormID), OrgID: domain.OrgID(r.OrgID),
		Name: r.Name, NameCy: r.NameCy, Position: r.Position, Texts: r.Texts, CreatedAt: r.CreatedAt.UTC(),
	}
	if r.ArchivedAt != nil {
		at := r.ArchivedAt.UTC()
		ib.ArchivedAt = &at
	}
	list, err := i.keys.Open(r.NotifySealed, aad("inboxes.notify", r.ID))
	if err != nil {
		return nil, fmt.Errorf("store: opening inbox %s: %w", r.ID, err)
	}
	if list != "" {
		if err := json.Unmarshal([]byte(list), &ib.Notify); err != nil {
			return nil, fmt.Errorf("store: decoding inbox %s: %w", r.ID, err)
		}
	}
	return ib, nil
}

func (i inboxes) Create(ctx context.Context, ib *domain.Inbox) error {
	row, err := i.toRow(ib)
	if err != nil {
		return err
	}
	_, err = i.db.NewInsert().Model(row).Exec(ctx)
	return nameConflict(err, ib)
}

// nameConflict words a unique violation on an inbox's name, English or
// Welsh, for the admin who chose it.
func nameConflict(err error, ib *domain.Inbox) error {
	err = translate(err)
	if domain.KindOf(err) != domain.KindConflict {
		return err
	}
	switch {
	case strings.Contains(err.Error(), "name_cy_key"):
		return domain.InboxWelshNameTaken(ib.NameCy, err)
	case strings.Contains(err.Error(), "name_key"):
		return domain.InboxNameTaken(ib.Name, err)
	}
	return err
}

func (i inboxes) Get(ctx context.Context, id domain.InboxID) (*domain.Inbox, error) {
	var row inboxRow
	if err := i.db.NewSelect().Model(&row).Where("id = ?", string(id)).Scan(ctx); err != nil {
		return nil, notFound(err, "inbox")
	}
	return i.fromRow(&row)
}

func (i inboxes) List(ctx context.Context, filter ports.InboxFilter) ([]*domain.Inbox, error) {
	var rows []inboxRow
	q := i.db.NewSelect().Model(&rows).Order("form_id", "position", "id")
	if filter.OrgID != nil {
		q = q.Where("org_id = ?", string(*filter.OrgID))
	}
	if filter.FormID != nil {
		q = q.Where("form_id = ?", string(*filter.FormID))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	return convertAll(rows, i.fromRow)
}

func (i inboxes) Update(ctx context.Context, ib *domain.Inbox) error {
	row, err := i.toRow(ib)
	if err != nil {
		return err
	}
	res, err := i.db.NewUpdate().Model(row).Column("name", "name_key", "name_cy", "name_cy_key", "notify_sealed").WherePK().Exec(ctx)
	return nameConflict(mustAffect(res, err, "inbox"), ib)
}

// Arrange reads every inbox of the form, the form locked until the
// transaction ends, lets change alter their positions, texts mark and
// archiving, and writes back what it altered. The form's row is locked
// FOR NO KEY UPDATE on PostgreSQL, which reports being inserted for it do
// not wait for; SQLite's single writer serialises the rest.
func (i inboxes) Arrange(ctx context.Context, form domain.FormID, change func(inboxes []*domain.Inbox) error) ([]*domain.Inbox, error) {
	q := i.db.NewSelect().Model((*formRow)(nil)).Column("id").Where("id = ?", string(form))
	if i.postgres {
		q = q.For("NO KEY UPDATE")
	}
	var got string
	if err := q.Scan(ctx, &got); err != nil {
		return nil, notFound(err, "form")
	}
	before, err := i.List(ctx, ports.InboxFilter{FormID: &form})
	if err != nil {
		return nil, err
	}
	after := make([]*domain.Inbox, len(before))
	was := map[domain.InboxID]*domain.Inbox{}
	for n, ib := range before {
		cp := *ib
		after[n], was[ib.ID] = &cp, ib
	}
	if err := change(after); err != nil {
		return nil, err
	}
	// The inboxes not receiving texts are written before the one that
	// does, so that the one-per-form index holds after every statement.
	for _, texts := range []bool{false, true} {
		for _, ib := range after {
			old := was[ib.ID]
			if old == nil || ib.FormID != old.FormID || ib.Name != old.Name {
				return nil, &domain.Error{Kind: domain.KindInternal, Err: errors.New("store: arranging a form's inboxes changes only their order, texts and archiving")}
			}
			if ib.Texts != texts {
				continue
			}
			u := i.updateRow((*inboxRow)(nil), string(ib.ID))
			u.set(ib.Position != old.Position, "position", ib.Position)
			u.set(ib.Texts != old.Texts, "receives_texts", ib.Texts)
			u.set(!sameTime(ib.ArchivedAt, old.ArchivedAt), "archived_at", ib.ArchivedAt)
			if err := u.exec(ctx, "inbox"); err != nil {
				return nil, err
			}
		}
	}
	return after, nil
}
