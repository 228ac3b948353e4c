package store

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

type interactionRow struct {
	bun.BaseModel `bun:"table:interactions"`

	ID                 string     `bun:"id,pk"`
	Ref                string     `bun:"ref"`
	OrgID              string     `bun:"org_id"`
	FormID             string     `bun:"form_id"`
	InboxID            string     `bun:"inbox_id"`
	Channel            string     `bun:"channel"`
	Status             string     `bun:"status"`
	ReporterNameSealed []byte     `bun:"reporter_name_sealed"`
	Flagged            bool       `bun:"flagged"`
	LegalHold          bool       `bun:"legal_hold"`
	TokenHash          *string    `bun:"token_hash"`
	EmailSealed        []byte     `bun:"email_sealed"`
	EmailIndex         *string    `bun:"email_index"`
	PhoneSealed        []byte     `bun:"phone_sealed"`
	PhoneIndex         *string    `bun:"phone_index"`
	RegionSealed       []byte     `bun:"region_sealed"`
	RegionIndex        *string    `bun:"region_index"`
	CreatedAt          time.Time  `bun:"created_at"`
	LastActivityAt     time.Time  `bun:"last_activity_at"`
	ClosedAt           *time.Time `bun:"closed_at"`
	ErasedAt           *time.Time `bun:"erased_at"`
	FirstStaffReplyAt  *time.Time `bun:"first_staff_reply_at"` // reply_columns.go
	LatestAuthor       *string    `bun:"latest_author"`
}

// contactIndex is the blind index of a reporter's email or phone number, or
// nil when there is none.
func contactIndex(keys *seal.Keyring, kind, value string) *string {
	if value == "" {
		return nil
	}
	if kind == "email" {
		value = seal.NormaliseEmailForIndex(value)
	}
	ix := keys.Index("reporter."+kind, value)
	return &ix
}

// contactLookups are what a reporter's email or phone number is looked up
// by: its blind index under every key the keyring knows, so that rows a
// rotation has not reached yet are found too.
func contactLookups(keys *seal.Keyring, kind, value string) []string {
	if value == "" {
		return nil
	}
	if kind == "email" {
		value = seal.NormaliseEmailForIndex(value)
	}
	return keys.Lookups("reporter."+kind, value)
}

type interactions struct{ *tx }

func (i interactions) toRow(ia *domain.Interaction) *interactionRow {
	return &interactionRow{
		ID: string(ia.ID), Ref: string(ia.Ref), OrgID: string(ia.OrgID), FormID: string(ia.FormID),
		InboxID: string(ia.InboxID), Channel: string(ia.Channel), Status: string(ia.Status),
		ReporterNameSealed: i.keys.Seal(ia.ReporterName, aad("interactions.reporter_name", string(ia.ID))),
		Flagged:            ia.Flagged, LegalHold: ia.LegalHold,
		CreatedAt: ia.CreatedAt, LastActivityAt: ia.LastActivityAt, ClosedAt: ia.ClosedAt, ErasedAt: ia.ErasedAt,
	}
}

func (i interactions) fromRow(r *interactionRow) (*domain.Interaction, error) {
	name, err := i.keys.Open(r.ReporterNameSealed, aad("interactions.reporter_name", r.ID))
	if err != nil {
		return nil, fmt.Errorf("store: opening interaction %s: %w", r.ID, err)
	}
	ia := unsealedFromRow(r)
	ia.ReporterName = name
	return ia, nil
}

// unsealedFromRow is the interaction without what is sealed: its reporter
// name is left empty.
func unsealedFromRow(r *interactionRow) *domain.Interaction {
	return &domain.Interaction{
		ID: domain.InteractionID(r.ID), Ref: domain.Reference(r.Ref), OrgID: domain.OrgID(r.OrgID),
		FormID: domain.FormID(r.FormID), InboxID: domain.InboxID(r.InboxID), Channel: domain.Channel(r.Channel),
		Status: domain.Status(r.Status), Flagged: r.Flagged, LegalHold: r.LegalHold,
		CreatedAt: r.CreatedAt.UTC(), LastActivityAt: r.LastActivityAt.UTC(),
		ClosedAt: utcPtr(r.ClosedAt), ErasedAt: utcPtr(r.ErasedAt),
	}
}

// Create writes the interaction with an empty word index, which each
// message and note added to it fills (search_words.go).
func (i interactions) Create(ctx context.Context, ia *domain.Interaction, token domain.Token, contact domain.Contact) error {
	if err := i.insert(ctx, i.newInteractionRow(ia, token, contact)); err != nil {
		return err
	}
	return i.insert(ctx, i.newWordsRow(ia.ID))
}

// newInteractionRow is the row of a new interaction: the keyed hash of its
// token (see secrets.go), and the reporter's contact data sealed and blindly indexed.
func (t *tx) newInteractionRow(ia *domain.Interaction, token domain.Token, contact domain.Contact) *interactionRow {
	row := interactions{t}.toRow(ia)
	hash := t.secretIndex(secretConversation, token.Hash())
	row.TokenHash = &hash
	row.EmailSealed = t.keys.Seal(contact.Email, aad("interactions.email", row.ID))
	row.EmailIndex = contactIndex(t.keys, "email", contact.Email)
	row.PhoneSealed = t.keys.Seal(contact.Phone, aad("interactions.phone", row.ID))
	row.PhoneIndex = contactIndex(t.keys, "phone", contact.Phone)
	return row
}

// regionKind is the blind index kind of an interaction's region.
const regionKind = "interactions.region"

// setRegion gives row its first message's region, sealed and blindly
// indexed, so that statistics group by it in SQL (facts.go). An absent
// region is indexed "" (Index's value for it), never NULL: NULL means a
// row written before the columns existed, which statistics count the old
// way.
func (t *tx) setRegion(row *interactionRow, region string) {
	row.RegionSealed = t.keys.Seal(region, aad(regionKind, row.ID))
	ix := t.keys.Index(regionKind, region)
	row.RegionIndex = &ix
}

// regionOfFirst gives the interaction id the region of meta when msg is
// its first message: a text report is created (Create) before its first
// message is added. Called under the interaction's row lock, before the
// message is inserted.
func (m messages) regionOfFirst(ctx context.Context, id domain.InteractionID, meta domain.Meta) error {
	_, err := m.regionUpdate(string(id), meta.Region).
		Where("NOT EXISTS (SELECT 1 FROM messages AS m WHERE m.interaction_id = ?)", string(id)).Exec(ctx)
	return translate(err)
}

// regionUpdate gives the interaction id the region, if it has none yet.
func (t *tx) regionUpdate(id, region string) *bun.UpdateQuery {
	row := &interactionRow{ID: id}
	t.setRegion(row, region)
	return t.db.NewUpdate().Model((*interactionRow)(nil)).
		Set("region_sealed = ?", row.RegionSealed).Set("region_index = ?", *row.RegionIndex).
		Where("id = ?", id).Where("region_index IS NULL")
}

func (i interactions) Get(ctx context.Context, id domain.InteractionID) (*domain.Interaction, error) {
	return i.one(ctx, "id = ?", string(id))
}

func (i interactions) GetByRef(ctx context.Context, ref domain.Reference) (*domain.Interaction, error) {
	return i.one(ctx, "ref = ?", string(ref))
}

func (i interactions) GetByToken(ctx context.Context, token domain.Token) (*domain.Interaction, error) {
	return i.one(ctx, "token_hash IN (?)", i.secretLookups(secretConversation, token.Hash()))
}

func (i interactions) one(ctx context.Context, where string, arg any) (*domain.Interaction, error) {
	var row interactionRow
	if err := i.db.NewSelect().Model(&row).ExcludeColumn("email_sealed", "phone_sealed").
		Where(where, arg).Scan(ctx); err != nil {
		return nil, notFound(err, "interaction")
	}
	return i.fromRow(&row)
}

func (i interactions) Contact(ctx context.Context, id domain.InteractionID) (domain.Contact, error) {
	var row interactionRow
	if err := i.db.NewSelect().Model(&row).Column("id", "email_sealed", "phone_sealed").
		Where("id = ?", string(id)).Scan(ctx); err != nil {
		return domain.Contact{}, notFound(err, "interaction")
	}
	var c domain.Contact
	if err := openFields(i.keys, row.ID,
		sealedField{&c.Email, row.EmailSealed, "interactions.email"},
		sealedField{&c.Phone, row.PhoneSealed, "interactions.phone"},
	); err != nil {
		return domain.Contact{}, err
	}
	return c, nil
}

func (i interactions) LatestByPhone(ctx context.Context, phone string) (*domain.Interaction, error) {
	ixs := contactLookups(i.keys, "phone", phone)
	if len(ixs) == 0 {
		return nil, &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("no such interaction")}
	}
	var row interactionRow
	err := i.db.NewSelect().Model(&row).ExcludeColumn("email_sealed", "phone_sealed").
		Where("phone_index IN (?)", bun.List(ixs)).Where("erased_at IS NULL").
		Order("last_activity_at DESC", "id DESC").Limit(1).Scan(ctx)
	if err != nil {
		return nil, notFound(err, "interaction")
	}
	return i.fromRow(&row)
}

func (i interactions) List(ctx context.Context, f ports.InteractionFilter) ([]*domain.Interaction, error) {
	var rows []interactionRow
	if f.InboxIDs != nil && len(f.InboxIDs) == 0 {
		return nil, nil
	}
	q := i.db.NewSelect().Model(&rows).ExcludeColumn("email_sealed", "phone_sealed").
		Order("last_activity_at DESC", "id DESC")
	if f.OrgID != nil {
		q = q.Where("org_id = ?", string(*f.OrgID))
	}
	if f.InboxIDs != nil {
		ids := make([]string, len(f.InboxIDs))
		for n, id := range f.InboxIDs {
			ids[n] = string(id)
		}
		q = q.Where("inbox_id IN (?)", bun.List(ids))
	}
	if f.Status != nil {
		q = q.Where("status = ?", string(*f.Status))
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, translate(err)
	}
	return convertAll(rows, i.fromRow)
}

type messageRow struct {
	bun.BaseModel `bun:"table:messages"`

	ID             string    `bun:"id,pk"`
	InteractionID  string    `bun:"interaction_id"`
	Author         string    `bun:"author"`
	StaffID        *string   `bun:"staff_id"`
	BodySealed     []byte    `bun:"body_sealed"`
	IPSealed       []byte    `bun:"ip_sealed"`
	LocationSealed []byte    `bun:"location_sealed"`
	RegionSealed   []byte    `bun:"region_sealed"`
	NetworkSealed  []byte    `bun:"network_sealed"`
	CreatedAt      time.Time `bun:"created_at"`
}

type messages struct{ *tx }

// Add takes the interaction's row lock (lockInteraction), so the message
// joins the word index that search reads in turn with any other text, and
// an erasure is either waited for and refused or made to wait.
func (m messages) Add(ctx context.Context, msg *domain.Message, meta domain.Meta) error {
	if err := m.lockInteraction(ctx, msg.InteractionID); err != nil {
		return err
	}
	if err := m.regionOfFirst(ctx, msg.InteractionID, meta); err != nil {
		return err
	}
	if err := m.insert(ctx, m.newMessageRow(msg, meta)); err != nil {
		return err
	}
	if err := refreshReplyColumns(ctx, m.db, msg.InteractionID); err != nil {
		return err
	}
	return m.addWords(ctx, msg.InteractionID, msg.Body)
}

// newMessageRow is the row of a new message, its text and meta data sealed.
func (t *tx) newMessageRow(msg *domain.Message, meta domain.Meta) *messageRow {
	id := string(msg.ID)
	row := &messageRow{
		ID: id, InteractionID: string(msg.InteractionID), Author: string(msg.Author),
		BodySealed:     t.keys.Seal(msg.Body, aad("messages.body", id)),
		IPSealed:       t.keys.Seal(meta.IP, aad("messages.ip", id)),
		LocationSealed: t.keys.Seal(meta.Location, aad("messages.location", id)),
		RegionSealed:   t.keys.Seal(meta.Region, aad("messages.region", id)),
		NetworkSealed:  t.keys.Seal(meta.Network, aad("messages.network", id)),
		CreatedAt:      msg.CreatedAt,
	}
	if msg.StaffID != "" {
		sid := string(msg.StaffID)
		row.StaffID = &sid
	}
	return row
}

func (m messages) List(ctx context.Context, id domain.InteractionID) ([]*domain.Message, error) {
	var rows []messageRow
	if err := m.db.NewSelect().Model(&rows).Column("id", "interaction_id", "author", "staff_id", "body_sealed", "created_at").
		Where("interaction_id = ?", string(id)).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, translate(err)
	}
	out := make([]*domain.Message, len(rows))
	for n, r := range rows {
		body, err := m.keys.Open(r.BodySealed, aad("messages.body", r.ID))
		if err != nil {
			return nil, fmt.Errorf("store: opening message %s: %w", r.ID, err)
		}
		msg := &domain.Message{
			ID: domain.MessageID(r.ID), InteractionID: domain.InteractionID(r.InteractionID),
			Author: domain.Author(r.Author), Body: body, CreatedAt: r.CreatedAt.UTC(),
		}
		if r.StaffID != nil {
			msg.StaffID = domain.StaffID(*r.StaffID)
		}
		out[n] = msg
	}
	return out, nil
}

func (m messages) Meta(ctx context.Context, id domain.MessageID) (domain.Meta, error) {
	var row messageRow
	if err := m.db.NewSelect().Model(&row).Column("id", "ip_sealed", "location_sealed", "region_sealed", "network_sealed").
		Where("id = ?", string(id)).Scan(ctx); err != nil {
		return domain.Meta{}, notFound(err, "message")
	}
	var meta domain.Meta
	if err := openFields(m.keys, row.ID,
		sealedField{&meta.IP, row.IPSealed, "messages.ip"},
		sealedField{&meta.Location, row.LocationSealed, "messages.location"},
		sealedField{&meta.Region, row.RegionSealed, "messages.region"},
		sealedField{&meta.Network, row.NetworkSealed, "messages.network"},
	); err != nil {
		return domain.Meta{}, err
	}
	return meta, nil
}

type heldRow struct {
	Ref          string     `bun:"ref"`
	OrgID        string     `bun:"org_id"`
	Organisation string     `bun:"organisation"`
	Since        *time.Time `bun:"since"`
	Reason       *string    `bun:"reason"`
}

func (i interactions) Held(ctx context.Context) ([]ports.LegalHold, error) {
	var rows []heldRow
	err := i.db.NewSelect().TableExpr("interactions AS i").
		ColumnExpr("i.ref, i.org_id, o.name AS organisation, a.at AS since, a.reason").
		Join("JOIN organisations AS o ON o.id = i.org_id").
		Join("LEFT JOIN audit_log AS a ON a.seq = (SELECT MAX(seq) FROM audit_log WHERE action = ? AND ref = i.ref)", domain.AuditHoldSet).
		Where("i.legal_hold").Where("i.erased_at IS NULL").
		OrderExpr("i.created_at, i.ref").Scan(ctx, &rows)
	if err != nil {
		return nil, translate(err)
	}
	out := make([]ports.LegalHold, len(rows))
	for n, r := range rows {
		out[n] = ports.LegalHold{Ref: domain.Reference(r.Ref), OrgID: domain.OrgID(r.OrgID), Organisation: r.Organisation}
		if r.Since != nil {
			out[n].Since = *r.Since
		}
		if r.Reason != nil {
			out[n].Reason = *r.Reason
		}
	}
	return out, nil
}
