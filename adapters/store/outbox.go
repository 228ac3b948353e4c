package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

type deliveryRow struct {
	bun.BaseModel `bun:"table:outbox"`

	ID              string     `bun:"id,pk"`
	Kind            string     `bun:"kind"`
	Channel         string     `bun:"channel"`
	ToSealed        []byte     `bun:"to_sealed"`
	LinkSealed      []byte     `bun:"link_sealed"`
	BodySealed      []byte     `bun:"body_sealed"`
	StaffNameSealed []byte     `bun:"staff_name_sealed"`
	Subject         string     `bun:"subject"`
	ItemCount       int        `bun:"item_count"`
	Language        string     `bun:"language"`
	OrgID           *string    `bun:"org_id"`
	InteractionID   *string    `bun:"interaction_id"`
	Status          string     `bun:"status"`
	Attempts        int        `bun:"attempts"`
	NextAttemptAt   time.Time  `bun:"next_attempt_at"`
	CreatedAt       time.Time  `bun:"created_at"`
	SentAt          *time.Time `bun:"sent_at"`
	LastErrorCode   *int       `bun:"last_error_code"`
	LastErrorText   *string    `bun:"last_error_text"`
	LeasedUntil     *time.Time `bun:"leased_until"`
}

type outbox struct{ *tx }

func (o outbox) toRow(d *domain.Delivery) *deliveryRow {
	id := string(d.ID)
	row := &deliveryRow{
		ID: id, Kind: string(d.Kind), Channel: string(d.Channel),
		ToSealed:        o.keys.Seal(d.To, aad("outbox.to", id)),
		LinkSealed:      o.keys.Seal(d.Link, aad("outbox.link", id)),
		BodySealed:      o.keys.Seal(d.Body, aad("outbox.body", id)),
		StaffNameSealed: o.keys.Seal(d.StaffName, aad("outbox.staff_name", id)),
		Subject:         d.Subject, ItemCount: d.Count, Language: string(d.Language),
		Status: string(d.Status), Attempts: d.Attempts, NextAttemptAt: d.NextAttemptAt, CreatedAt: d.CreatedAt, SentAt: d.SentAt,
	}
	if d.InteractionID != "" {
		ia := string(d.InteractionID)
		row.InteractionID = &ia
	}
	if f := d.LastError; f != nil {
		row.LastErrorCode, row.LastErrorText = errorCode(f), &f.Text
	}
	// A help text answers a number, not an organisation.
	if d.OrgID != "" {
		org := string(d.OrgID)
		row.OrgID = &org
	}
	return row
}

func (o outbox) fromRow(r *deliveryRow) (*domain.Delivery, error) {
	d := &domain.Delivery{
		ID: domain.DeliveryID(r.ID), Kind: domain.DeliveryKind(r.Kind), Channel: domain.DeliveryChannel(r.Channel),
		Subject: r.Subject, Count: r.ItemCount, Language: domain.Language(r.Language),
		Status: domain.DeliveryStatus(r.Status), Attempts: r.Attempts,
		NextAttemptAt: r.NextAttemptAt.UTC(), CreatedAt: r.CreatedAt.UTC(), SentAt: utcPtr(r.SentAt),
	}
	if r.InteractionID != nil {
		d.InteractionID = domain.InteractionID(*r.InteractionID)
	}
	if r.OrgID != nil {
		d.OrgID = domain.OrgID(*r.OrgID)
	}
	if r.LastErrorCode != nil || r.LastErrorText != nil {
		d.LastError = &domain.DeliveryFailure{}
		if r.LastErrorCode != nil {
			d.LastError.Code = *r.LastErrorCode
			d.LastError.Permanent = *r.LastErrorCode >= 500
		}
		if r.LastErrorText != nil {
			d.LastError.Text = *r.LastErrorText
		}
	}
	if err := openFields(o.keys, r.ID,
		sealedField{&d.To, r.ToSealed, "outbox.to"},
		sealedField{&d.Link, r.LinkSealed, "outbox.link"},
		sealedField{&d.Body, r.BodySealed, "outbox.body"},
		sealedField{&d.StaffName, r.StaffNameSealed, "outbox.staff_name"},
	); err != nil {
		return nil, err
	}
	return d, nil
}

func (o outbox) Enqueue(ctx context.Context, ds ...*domain.Delivery) error {
	if len(ds) == 0 {
		return nil
	}
	rows := make([]*deliveryRow, len(ds))
	for i, d := range ds {
		rows[i] = o.toRow(d)
	}
	return o.insert(ctx, &rows)
}

func (o outbox) List(ctx context.Context, f ports.OutboxFilter) ([]*domain.Delivery, error) {
	var rows []deliveryRow
	q := outboxFilter(o.db.NewSelect().Model(&rows).Order("created_at", "id"), f)
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	return convertAll(rows, o.fromRow)
}

func (o outbox) Count(ctx context.Context, f ports.OutboxFilter) (int, error) {
	n, err := outboxFilter(o.db.NewSelect().Model((*deliveryRow)(nil)), f).Count(ctx)
	return int(n), translate(err)
}

// outboxFilter narrows q to the deliveries f keeps, its Limit aside.
func outboxFilter(q *bun.SelectQuery, f ports.OutboxFilter) *bun.SelectQuery {
	if f.ID != nil {
		q = q.Where("id = ?", string(*f.ID))
	}
	if f.InteractionID != nil {
		q = q.Where("interaction_id = ?", string(*f.InteractionID))
	}
	if f.Status != nil {
		q = q.Where("status = ?", string(*f.Status))
	}
	if f.Unsent {
		q = q.Where("status IN (?)", bun.List([]string{string(domain.DeliveryPending), string(domain.DeliveryFailed)}))
	}
	return q
}

func (o outbox) Claim(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*domain.Delivery, error) {
	due := o.db.NewSelect().Model((*deliveryRow)(nil)).Column("id").
		Where("status = ?", string(domain.DeliveryPending)).Where("next_attempt_at <= ?", now).
		OrderExpr("next_attempt_at, id").Limit(int64(limit))
	if o.postgres {
		// Rows another worker holds are skipped, not waited for: two
		// instances never send the same delivery while both are healthy.
		due = due.For("UPDATE SKIP LOCKED")
	}
	var rows []deliveryRow
	_, err := o.db.NewUpdate().Model(&rows).
		Set("next_attempt_at = ?", now.Add(lease)).
		Set("leased_until = ?", now.Add(lease)).
		Set("attempts = attempts + 1").
		Where("id IN (?)", due).
		Returning("*").
		Exec(ctx, &rows)
	if err != nil {
		return nil, translate(err)
	}
	return convertAll(rows, o.fromRow)
}

// MarkSent also forgets the delivery's recipient, link, text and replier: once
// sent they are needed no more, and a reporter's link is as secret as the
// token in it, which is otherwise kept only as a hash.
func (o outbox) MarkSent(ctx context.Context, id domain.DeliveryID, attempt int, now time.Time) error {
	q := o.db.NewUpdate().Model((*deliveryRow)(nil)).
		Set("status = ?", string(domain.DeliverySent)).Set("sent_at = ?", now).Set("leased_until = NULL").
		Set("to_sealed = ?", []byte{}).Set("link_sealed = NULL").Set("body_sealed = NULL").Set("staff_name_sealed = NULL")
	return o.underClaim(ctx, q, id, attempt)
}

func (o outbox) Retry(ctx context.Context, id domain.DeliveryID, attempt int, next time.Time, why *domain.DeliveryFailure) error {
	q := o.db.NewUpdate().Model((*deliveryRow)(nil)).Set("next_attempt_at = ?", next).Set("leased_until = NULL")
	return o.underClaim(ctx, withLastError(q, why), id, attempt)
}

// MarkFailed keeps the delivery's recipient and content, sealed as ever,
// so that the operator can send it again once the cause is put right (a
// relay refusing it, a mistyped address corrected); housekeeping forgets
// them after a while (ForgetFailedBefore).
func (o outbox) MarkFailed(ctx context.Context, id domain.DeliveryID, attempt int, now time.Time, why *domain.DeliveryFailure) error {
	q := o.db.NewUpdate().Model((*deliveryRow)(nil)).
		Set("status = ?", string(domain.DeliveryFailed)).Set("next_attempt_at = ?", now).Set("leased_until = NULL")
	return o.underClaim(ctx, withLastError(q, why), id, attempt)
}

// withLastError records a failed attempt's answer, when there is one.
func withLastError(q *bun.UpdateQuery, why *domain.DeliveryFailure) *bun.UpdateQuery {
	if why == nil {
		return q
	}
	return q.Set("last_error_code = ?", errorCode(why)).Set("last_error_text = ?", why.Text)
}

// errorCode is a failure's code as stored: NULL when no answer came.
func errorCode(f *domain.DeliveryFailure) *int {
	if f.Code == 0 {
		return nil
	}
	return &f.Code
}

// Requeue is one conditional statement: the delivery must be waiting or
// failed, held by no worker (no lease, or one run out), and still hold
// its recipient. On PostgreSQL a claim at the same moment either locks
// the row first, and Requeue then waits and finds the lease it set, or
// comes after and claims the requeued row; on SQLite the two cannot meet.
// Only when nothing changed is the row read again, to say why.
func (o outbox) Requeue(ctx context.Context, id domain.DeliveryID, now time.Time) error {
	n, err := rowsAffected(o.db.NewUpdate().Model((*deliveryRow)(nil)).
		Set("status = ?", string(domain.DeliveryPending)).Set("next_attempt_at = ?", now).
		Where("id = ?", string(id)).
		Where("status IN (?)", bun.List([]string{string(domain.DeliveryPending), string(domain.DeliveryFailed)})).
		Where("leased_until IS NULL OR leased_until <= ?", now).
		Where("LENGTH(to_sealed) > 0").
		Exec(ctx))
	if err != nil || n == 1 {
		return err
	}
	var row deliveryRow
	err = o.db.NewSelect().Model(&row).Column("status", "leased_until").Where("id = ?", string(id)).Scan(ctx)
	if err != nil {
		if kind := domain.KindOf(translate(err)); kind == domain.KindNotFound {
			return domain.Errorf(domain.KindNotFound, "no delivery %s in the outbox", id)
		}
		return translate(err)
	}
	switch {
	case row.Status == string(domain.DeliverySent):
		return domain.Errorf(domain.KindConflict, "delivery %s was already sent", id)
	case row.LeasedUntil != nil && row.LeasedUntil.After(now):
		return domain.Errorf(domain.KindConflict, "delivery %s is being sent right now; look again in a minute", id)
	default:
		return domain.Errorf(domain.KindConflict, "delivery %s failed too long ago: what it said and to whom are forgotten, so it cannot be sent again", id)
	}
}

func (o outbox) ForgetFailedBefore(ctx context.Context, before time.Time) (int, error) {
	n, err := rowsAffected(o.db.NewUpdate().Model((*deliveryRow)(nil)).
		Set("to_sealed = ?", []byte{}).Set("link_sealed = NULL").Set("body_sealed = NULL").Set("staff_name_sealed = NULL").
		Where("status = ?", string(domain.DeliveryFailed)).Where("next_attempt_at < ?", before).
		Where("LENGTH(to_sealed) > 0").
		Exec(ctx))
	return int(n), err
}

// underClaim runs an outcome's update only on the row as the claim that
// counted attempt left it: still pending, with no claim counted since. One
// statement checks and writes, so no other worker's claim or outcome can
// come between them.
func (o outbox) underClaim(ctx context.Context, q *bun.UpdateQuery, id domain.DeliveryID, attempt int) error {
	n, err := rowsAffected(q.Where("id = ?", string(id)).
		Where("status = ?", string(domain.DeliveryPending)).
		Where("attempts = ?", attempt).Exec(ctx))
	if err != nil {
		return err
	}
	if n == 0 {
		return &domain.Error{Kind: domain.KindConflict, Safe: domain.Say("the delivery is no longer held by this claim")}
	}
	return nil
}

// Raise is one conditional statement. On PostgreSQL a claim at the same
// moment either skips the row it holds (a later claim sends the raised
// count) or, having locked the row first, makes it wait, find attempts
// above zero and change nothing; on SQLite the two cannot meet.
func (o outbox) Raise(ctx context.Context, id domain.DeliveryID, count int) (bool, error) {
	n, err := rowsAffected(o.db.NewUpdate().Model((*deliveryRow)(nil)).Set("item_count = ?", count).
		Where("id = ?", string(id)).Where("status = ?", string(domain.DeliveryPending)).Where("attempts = 0").
		Exec(ctx))
	return n == 1, err
}

func (o outbox) Health(ctx context.Context) (ports.OutboxHealth, error) {
	var h ports.OutboxHealth
	var rows []struct {
		Status string     `bun:"status"`
		N      int        `bun:"n"`
		Oldest *time.Time `bun:"oldest"`
	}
	err := o.db.NewSelect().Model((*deliveryRow)(nil)).
		// A delivery never tried has waited since it was due, not since it
		// was queued: a trailing reply alert is queued up to 15 minutes
		// ahead of its time, and is not late meanwhile.
		ColumnExpr("status, COUNT(*) AS n, MIN(CASE WHEN attempts = 0 THEN next_attempt_at ELSE created_at END) AS oldest").
		Where("status IN (?)", bun.List([]string{string(domain.DeliveryPending), string(domain.DeliveryFailed)})).
		GroupExpr("status").Scan(ctx, &rows)
	if err != nil {
		return h, translate(err)
	}
	for _, r := range rows {
		switch domain.DeliveryStatus(r.Status) {
		case domain.DeliveryPending:
			h.Pending, h.OldestPending = r.N, utcPtr(r.Oldest)
		case domain.DeliveryFailed:
			h.Failed = r.N
		}
	}
	return h, nil
}
