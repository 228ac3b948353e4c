package store

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// How staff hear of their inboxes' reports (see ports.NotificationRepo).

type notificationPreferenceRow struct {
	bun.BaseModel `bun:"table:notification_preferences"`

	StaffID string `bun:"staff_id,pk"`
	InboxID string `bun:"inbox_id,pk"`
	Mode    string `bun:"mode"`
}

type digestClaimRow struct {
	bun.BaseModel `bun:"table:digest_claims"`

	StaffID string    `bun:"staff_id,pk"`
	Day     string    `bun:"day,pk"`
	SentAt  time.Time `bun:"sent_at"`
}

type notifications struct{ *tx }

func (t *tx) Notifications() ports.NotificationRepo { return notifications{t} }

func (n notifications) Preferences(ctx context.Context, staff domain.StaffID) (map[domain.InboxID]domain.NotifyMode, error) {
	var rows []notificationPreferenceRow
	if err := n.db.NewSelect().Model(&rows).Where("staff_id = ?", string(staff)).Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make(map[domain.InboxID]domain.NotifyMode, len(rows))
	for _, r := range rows {
		out[domain.InboxID(r.InboxID)] = domain.NotifyMode(r.Mode)
	}
	return out, nil
}

// SetPreferences deletes the rows of the inboxes set back to at once and
// upserts the others: two statements at most.
func (n notifications) SetPreferences(ctx context.Context, staff domain.StaffID, modes map[domain.InboxID]domain.NotifyMode) error {
	var atOnce []string
	var rows []notificationPreferenceRow
	for inbox, mode := range modes {
		if mode == domain.NotifyAtOnce {
			atOnce = append(atOnce, string(inbox))
			continue
		}
		rows = append(rows, notificationPreferenceRow{StaffID: string(staff), InboxID: string(inbox), Mode: string(mode)})
	}
	if len(atOnce) > 0 {
		if _, err := n.db.NewDelete().Model((*notificationPreferenceRow)(nil)).
			Where("staff_id = ?", string(staff)).Where("inbox_id IN (?)", bun.List(atOnce)).Exec(ctx); err != nil {
			return translate(err)
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := n.db.NewInsert().Model(&rows).
		On("CONFLICT (staff_id, inbox_id) DO UPDATE").Set("mode = EXCLUDED.mode").Exec(ctx)
	return translate(err)
}

// Alertees reads the inbox's members as StaffRepo.List does, then their
// modes for the inbox in one more statement.
func (n notifications) Alertees(ctx context.Context, inbox domain.InboxID) ([]domain.Alertee, error) {
	var rows []staffRow
	err := n.db.NewSelect().Model(&rows).
		Where("id IN (SELECT staff_id FROM staff_inboxes WHERE inbox_id = ?)", string(inbox)).
		Where("removed_at IS NULL").Order("created_at", "id").Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	var prefs []notificationPreferenceRow
	if err := n.db.NewSelect().Model(&prefs).Where("inbox_id = ?", string(inbox)).Scan(ctx); err != nil {
		return nil, translate(err)
	}
	mode := make(map[string]domain.NotifyMode, len(prefs))
	for _, p := range prefs {
		mode[p.StaffID] = domain.NotifyMode(p.Mode)
	}
	out := make([]domain.Alertee, 0, len(rows))
	for i := range rows {
		m, err := staffRepo(n).fromRow(&rows[i])
		if err != nil {
			return nil, err
		}
		a := domain.Alertee{StaffID: m.ID, Email: m.Email, Language: m.Language, Mode: domain.NotifyAtOnce}
		if md, ok := mode[rows[i].ID]; ok {
			a.Mode = md
		}
		out = append(out, a)
	}
	return out, nil
}

// DigestMembers reads the digest preferences of assigned inboxes, then
// their members, in two statements.
func (n notifications) DigestMembers(ctx context.Context) ([]ports.DigestMember, error) {
	var prefs []notificationPreferenceRow
	err := n.db.NewSelect().Model(&prefs).
		Where("mode = ?", string(domain.NotifyDigest)).
		Where("EXISTS (SELECT 1 FROM staff_inboxes AS si WHERE si.staff_id = ?TableAlias.staff_id AND si.inbox_id = ?TableAlias.inbox_id)").
		Order("staff_id", "inbox_id").Scan(ctx)
	if err != nil {
		return nil, translate(err)
	}
	if len(prefs) == 0 {
		return nil, nil
	}
	inboxes := map[string][]domain.InboxID{}
	var ids []string
	for _, p := range prefs {
		if _, ok := inboxes[p.StaffID]; !ok {
			ids = append(ids, p.StaffID)
		}
		inboxes[p.StaffID] = append(inboxes[p.StaffID], domain.InboxID(p.InboxID))
	}
	var rows []staffRow
	if err := n.db.NewSelect().Model(&rows).Where("id IN (?)", bun.List(ids)).
		Where("removed_at IS NULL").Order("created_at", "id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	members, err := staffRepo(n).withInboxes(ctx, rows)
	if err != nil {
		return nil, err
	}
	out := make([]ports.DigestMember, len(members))
	for i, m := range members {
		out[i] = ports.DigestMember{Staff: m, Inboxes: inboxes[string(m.ID)]}
	}
	return out, nil
}

// ClaimDigest inserts the day's row, doing nothing when it is there, and
// reads the member's latest other day only when it claimed.
func (n notifications) ClaimDigest(ctx context.Context, staff domain.StaffID, day string, now time.Time) (bool, time.Time, error) {
	claimed, err := rowsAffected(n.db.NewInsert().Model(&digestClaimRow{StaffID: string(staff), Day: day, SentAt: now}).
		On("CONFLICT (staff_id, day) DO NOTHING").Exec(ctx))
	if err != nil || claimed != 1 {
		return false, time.Time{}, err
	}
	var prev []time.Time
	err = n.db.NewSelect().Model((*digestClaimRow)(nil)).ColumnExpr("sent_at").
		Where("staff_id = ?", string(staff)).Where("day <> ?", day).
		Order("sent_at DESC").Limit(1).Scan(ctx, &prev)
	if err != nil {
		return false, time.Time{}, translate(err)
	}
	if len(prev) == 0 {
		return true, time.Time{}, nil
	}
	return true, prev[0].UTC(), nil
}

// digestRow is one interaction a digest may count.
type digestRow struct {
	InboxID  string `bun:"inbox_id"`
	Ref      string `bun:"ref"`
	IsNew    int    `bun:"is_new"`
	Replies  int    `bun:"replies"`
	Awaiting int    `bun:"awaiting"`
}

// DigestCounts is one statement over the inboxes' interactions that are
// new, active since or open (through interactions_inbox-style indexes on
// inbox and dates), with a correlated count of replies and, from the row,
// whether each awaits a reply (awaitingExists): a daily job, not a page.
func (n notifications) DigestCounts(ctx context.Context, inboxes []domain.InboxID, since time.Time, refs int) ([]domain.DigestInbox, error) {
	if len(inboxes) == 0 {
		return nil, nil
	}
	ids := make([]string, len(inboxes))
	for i, id := range inboxes {
		ids[i] = string(id)
	}
	var rows []digestRow
	err := n.db.NewRaw(`SELECT i.inbox_id, i.ref,
  CASE WHEN i.created_at > ? THEN 1 ELSE 0 END AS is_new,
  (SELECT COUNT(*) FROM messages AS m WHERE m.interaction_id = i.id AND m.author = 'reporter'
     AND m.created_at > i.created_at AND m.created_at > ?) AS replies,
  CASE WHEN i.status = 'open' AND `+awaitingExists+` THEN 1 ELSE 0 END AS awaiting
FROM interactions AS i
WHERE i.inbox_id IN (?) AND i.erased_at IS NULL AND (i.status = 'open' OR i.last_activity_at > ?)
ORDER BY i.last_activity_at DESC, i.id DESC`, since, since, bun.List(ids), since).Scan(ctx, &rows)
	if err != nil {
		return nil, translate(err)
	}
	byInbox := make(map[string]*domain.DigestInbox, len(ids))
	out := make([]domain.DigestInbox, len(ids))
	for i, id := range ids {
		out[i].InboxID = domain.InboxID(id)
		byInbox[id] = &out[i]
	}
	for _, r := range rows {
		d := byInbox[r.InboxID]
		if r.IsNew == 0 && r.Replies == 0 && r.Awaiting == 0 {
			continue
		}
		d.NewReports += r.IsNew
		d.Replies += r.Replies
		d.Awaiting += r.Awaiting
		if len(d.Refs) < refs {
			d.Refs = append(d.Refs, domain.Reference(r.Ref))
		}
	}
	return out, nil
}
