package app

import (
	"context"
	"slices"
	"strconv"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// record appends e to the audit log in tx, the transaction of the act it
// records, so that an act is never done without its record nor recorded
// without being done. Entries name staff and forms by id, never by email
// address, and hold nothing of a reporter.
func (s *core) record(ctx context.Context, tx ports.Tx, e *domain.AuditEntry) error {
	e.At = s.now()
	return tx.Audit().Append(ctx, e)
}

// byStaff is the entry for an act a staff member did in their organisation.
func byStaff(a *Actor, action string, details map[string]string) *domain.AuditEntry {
	return &domain.AuditEntry{Actor: staffActor(a.Staff.ID), Action: action, OrgID: a.Org.ID, Details: details}
}

// actorOr is who asked for an act: actor, or when no one is named (the
// demo's set-up, tests) the service itself.
func actorOr(actor string) string {
	if actor == "" {
		return domain.ActorSystem
	}
	return actor
}

// howMany is how many s holds, for an entry's details.
func howMany[T any](s []T) string { return strconv.Itoa(len(s)) }

// sameInboxes says whether two assignments hold the same inboxes, in any
// order.
func sameInboxes(a, b []domain.InboxID) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
