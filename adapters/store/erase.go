package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Erase clears every column that holds the reporters' personal data, in
// the interactions, their messages and their outbox rows, in three
// set-based statements, and the pacing of their replies in two more. The first decides what is erased: the
// interactions neither held nor erased when it runs, which on PostgreSQL
// is after any transaction holding their rows (a hold being set, a reply
// being added) has ended. The other two touch exactly those.
func (i interactions) Erase(ctx context.Context, now time.Time, ids ...domain.InteractionID) ([]domain.InteractionID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var erased []string
	_, err := i.db.NewUpdate().Model((*interactionRow)(nil)).
		Set("reporter_name_sealed = NULL").Set("token_hash = NULL").
		Set("email_sealed = NULL").Set("email_index = NULL").
		Set("phone_sealed = NULL").Set("phone_index = NULL").
		Set("erased_at = ?", now).
		Where("id IN (?)", bun.List(ids)).Where("erased_at IS NULL").Where("NOT legal_hold").
		Returning("id").Exec(ctx, &erased)
	if err != nil {
		return nil, translate(err)
	}
	if err := i.allExist(ctx, ids, len(erased)); err != nil {
		return nil, err
	}
	if len(erased) == 0 {
		return nil, nil
	}
	in := bun.List(erased)
	// Texts of both parties, addresses and towns go; the region and the
	// network stay, sealed, for statistics.
	if _, err := i.db.NewUpdate().Model((*messageRow)(nil)).
		Set("body_sealed = NULL").Set("ip_sealed = NULL").Set("location_sealed = NULL").
		Where("interaction_id IN (?)", in).Exec(ctx); err != nil {
		return nil, translate(err)
	}
	// Queued and sent mail and texts hold addresses, numbers, links and
	// reply texts.
	if _, err := i.db.NewDelete().Model((*deliveryRow)(nil)).Where("interaction_id IN (?)", in).Exec(ctx); err != nil {
		return nil, translate(err)
	}
	// The pacing of replies goes too, its trailing alerts with the rest of
	// the outbox above.
	if err := forgetReplies(ctx, i.db, in); err != nil {
		return nil, err
	}
	// Internal notes are about the reporter too (notes.go).
	if err := forgetNotes(ctx, i.db, in); err != nil {
		return nil, err
	}
	// Who read and handled it goes too (issue #20's history).
	if err := forgetHistory(ctx, i.db, in); err != nil {
		return nil, err
	}
	// And the words of its texts, which search reads (search_words.go).
	if err := forgetWords(ctx, i.db, in); err != nil {
		return nil, err
	}
	out := make([]domain.InteractionID, len(erased))
	for n, id := range erased {
		out[n] = domain.InteractionID(id)
	}
	return out, nil
}

// allExist returns KindNotFound unless every one of ids exists; found of
// them are known to exist already.
func (i interactions) allExist(ctx context.Context, ids []domain.InteractionID, found int) error {
	distinct := map[domain.InteractionID]bool{}
	for _, id := range ids {
		distinct[id] = true
	}
	if found == len(distinct) {
		return nil
	}
	n, err := i.db.NewSelect().Model((*interactionRow)(nil)).Where("id IN (?)", bun.List(ids)).Count(ctx)
	if err != nil {
		return translate(err)
	}
	if int(n) != len(distinct) {
		return &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("no such interaction")}
	}
	return nil
}

// DueCandidates reads no sealed column: deciding what is due and erasing
// it needs no personal data, and a row that cannot be decrypted must be
// erased like any other. It reads the organisation's open interactions by
// last activity, on interactions_open_due, and its closed ones by closing,
// on interactions_closed_due, each seeking to q.After in an index that
// ends with id: what one batch reads is what it returns, however large the
// backlog behind it.
func (i interactions) DueCandidates(ctx context.Context, q ports.DueQuery) ([]*domain.Interaction, error) {
	branch := func(status, column string) *bun.SelectQuery {
		sel := i.db.NewSelect().Model((*interactionRow)(nil)).
			Column("id", "ref", "org_id", "form_id", "inbox_id", "channel", "status", "flagged", "legal_hold",
				"created_at", "last_activity_at", "closed_at", "erased_at").
			Where("org_id = ?", string(q.Org)).Where("erased_at IS NULL").Where("status = ?", status).
			Where("legal_hold = ?", false).
			Where("? < ?", bun.Ident(column), q.Cutoff).
			Where("(?, id) > (?, ?)", bun.Ident(column), q.After.From, string(q.After.ID)).
			OrderExpr("?, id", bun.Ident(column)).Limit(int64(q.Limit))
		if q.Unwarned {
			sel = sel.Where("erasure_warned_at IS NULL")
		}
		return sel
	}
	// Each branch is wrapped in a subquery because SQLite allows ORDER BY
	// and LIMIT only at the end of a compound SELECT.
	var rows []interactionRow
	err := i.db.NewRaw("SELECT * FROM (SELECT * FROM (?) AS o UNION ALL SELECT * FROM (?) AS c) AS d"+
		" ORDER BY CASE WHEN status = 'closed' THEN closed_at ELSE last_activity_at END, id LIMIT ?",
		branch("open", "last_activity_at"), branch("closed", "closed_at"), q.Limit).Scan(ctx, &rows)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]*domain.Interaction, len(rows))
	for n := range rows {
		out[n] = unsealedFromRow(&rows[n])
	}
	return out, nil
}

func (i interactions) CountHeld(ctx context.Context, orgs []domain.OrgID, cutoff time.Time) (int, error) {
	if len(orgs) == 0 {
		return 0, nil
	}
	n, err := i.db.NewSelect().Model((*interactionRow)(nil)).
		Where("org_id IN (?)", bun.List(orgIDs(orgs))).Where("erased_at IS NULL").Where("legal_hold = ?", true).
		Where("((status = 'closed' AND closed_at < ?) OR (status = 'open' AND last_activity_at < ?))", cutoff, cutoff).
		Count(ctx)
	return int(n), translate(err)
}

// OrganisationsToPurge asks two probes of each organisation: the open
// interactions by last activity, on interactions_open_due, and the closed
// ones by closing, on interactions_closed_due (a closed interaction may be
// replied to after its closing, so its last activity says nothing of when
// it is due). Each seeks to the organisation and reads only what lies
// before the later of the two cutoffs: what is due, held, or due within the
// warning's notice and warned of already, so it costs little however many
// interactions the organisation keeps.
func (i interactions) OrganisationsToPurge(ctx context.Context, scope ports.PurgeScope) ([]domain.OrgID, error) {
	bound := scope.Erase
	if scope.Warn.After(bound) {
		bound = scope.Warn
	}
	probe := func(status, column string) string {
		// A scalar subquery with LIMIT 1, not EXISTS: PostgreSQL turns an
		// EXISTS under OR into a hashed subplan that reads every open (or
		// closed) interaction of every organisation; this one it probes
		// per organisation, on an index that starts with org_id.
		return "(SELECT 1 FROM interactions AS i WHERE i.org_id = o.id AND i.erased_at IS NULL" +
			" AND i.status = '" + status + "' AND i." + column + " < ?" +
			" AND (i." + column + " < ? OR (NOT i.legal_hold AND i.erasure_warned_at IS NULL AND i." + column + " < ?)) LIMIT 1) IS NOT NULL"
	}
	var ids []string
	err := i.db.NewSelect().TableExpr("organisations AS o").Column("o.id").
		Where("o.retention_months = ?", int(scope.Retention)).
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where(probe("open", "last_activity_at"), bound, scope.Erase, scope.Warn).
				WhereOr(probe("closed", "closed_at"), bound, scope.Erase, scope.Warn)
		}).Scan(ctx, &ids)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]domain.OrgID, len(ids))
	for n, id := range ids {
		out[n] = domain.OrgID(id)
	}
	return out, nil
}

// orgIDs are the ids of orgs as strings, for bun.List.
func orgIDs(orgs []domain.OrgID) []string {
	out := make([]string, len(orgs))
	for n, id := range orgs {
		out[n] = string(id)
	}
	return out
}

// MarkWarned is one conditional statement for the lot: of two purges that
// found an interaction not yet warned, one marks it. The check that every
// one exists runs only when fewer were marked than asked.
func (i interactions) MarkWarned(ctx context.Context, now time.Time, ids ...domain.InteractionID) ([]domain.InteractionID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var marked []string
	_, err := i.db.NewUpdate().Model((*interactionRow)(nil)).Set("erasure_warned_at = ?", now).
		Where("id IN (?)", bun.List(ids)).Where("erasure_warned_at IS NULL").
		Returning("id").Exec(ctx, &marked)
	if err != nil {
		return nil, translate(err)
	}
	if err := i.allExist(ctx, ids, len(marked)); err != nil {
		return nil, err
	}
	out := make([]domain.InteractionID, len(marked))
	for n, id := range marked {
		out[n] = domain.InteractionID(id)
	}
	return out, nil
}

func (i interactions) FindByContact(ctx context.Context, c domain.Contact) ([]*domain.Interaction, error) {
	var indexes []string
	for kind, value := range map[string]string{"email": c.Email, "phone": c.Phone} {
		indexes = append(indexes, contactLookups(i.keys, kind, value)...)
	}
	if len(indexes) == 0 {
		return nil, nil
	}
	var rows []interactionRow
	err := i.db.NewSelect().Model(&rows).ExcludeColumn("email_sealed", "phone_sealed").
		WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("email_index IN (?)", bun.List(indexes)).WhereOr("phone_index IN (?)", bun.List(indexes))
		}).Order("created_at", "id").Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	return convertAll(rows, i.fromRow)
}
