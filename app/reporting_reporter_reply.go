package app

import (
	"context"
	"errors"
	"net/netip"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ReporterReply is a reporter's answer through their link.
type ReporterReply struct {
	Token string
	Body  string
	IP    netip.Addr
}

// ReporterReply adds the reporter's message to their conversation, reopens
// it if staff had closed it, and tells the inbox's people (see
// replyAlerts). A reply with problems (domain.Problems, KindInvalid), or
// over the hourly limit (a *domain.RepliesLimited in its chain,
// KindUnavailable), or to an organisation that takes no messages now
// (ErrNotAccepting), is refused and nothing is stored; the conversation
// then comes back as it stands, for the page that shows the reply again.
// It is read after the refusal, as Follow reads it: the reply's own
// transaction is for writing, and is rolled back. A stored reply comes
// back with nothing: its page is a redirect away.
func (s *Reporting) ReporterReply(ctx context.Context, in ReporterReply) (_ ReporterInteraction, err error) {
	defer domain.Wrap(&err, "app.Reporting.ReporterReply")
	err = s.reply(ctx, in)
	var limited *domain.RepliesLimited
	if domain.ProblemsOf(err) == nil && !errors.As(err, &limited) && !errors.Is(err, ErrNotAccepting) {
		return ReporterInteraction{}, err
	}
	conv, ferr := s.follow(ctx, in.Token)
	if ferr != nil {
		return ReporterInteraction{}, ferr
	}
	return conv, err
}

// reply stores a reporter's reply, in one transaction.
func (s *Reporting) reply(ctx context.Context, in ReporterReply) error {
	var problems domain.Problems
	body, err := domain.CheckMessage(in.Body)
	problems.Add(FieldMessage, err)
	meta := s.meta(in.IP)
	id, err := domain.NewMessageID(s.random)
	if err != nil {
		return err
	}
	now := s.now()
	return s.store.InTx(ctx, func(tx ports.Tx) error {
		ia, form, org, err := interactionByToken(ctx, tx, in.Token)
		if err != nil {
			return err
		}
		if !org.AcceptsReports(now) {
			return ErrNotAccepting
		}
		flagged, err := s.checkSwearing(form, org, body)
		problems.Add(FieldMessage, err)
		if err := problems.Invalid(); err != nil {
			return err
		}
		// An erasure that came first refuses the reply as it refuses any
		// erased link.
		err = s.reporterWrites(ctx, tx, ia.ID, form, &domain.Message{ID: id, Body: body}, meta, flagged, now)
		if errors.Is(err, domain.ErrErased) {
			return errNoSuchLink(err)
		}
		return err
	})
}
