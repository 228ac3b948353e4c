package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ReporterInteraction is what a reporter sees through their link.
type ReporterInteraction struct {
	Ref      domain.Reference
	FormName string
	// FormCode is the form's code, by which the conversation's pages link
	// the notice that names the school.
	FormCode domain.FormCode
	Status   domain.Status
	Messages []ReporterMessage
	// Accepting is false when the organisation takes no messages now
	// (suspended, ended, or its trial over).
	Accepting bool
	// OutOfHours is the form's text for when it takes no reports, and
	// OutOfHoursCy the same in Welsh (see domain.InLanguage).
	OutOfHours, OutOfHoursCy string
	// Language is the form's language, which the conversation opens in.
	Language domain.Language
}

// ReporterMessage is one turn, as the reporter sees it: staff by first
// name only.
type ReporterMessage struct {
	FromReporter bool
	// StaffName is the first name of the staff member who wrote it.
	StaffName string
	Body      string
	At        time.Time
}

// unknownToken is looked up in place of a malformed token, so that a link
// that cannot exist takes as long to refuse as one that does not.
var unknownToken = domain.Token("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")

// Follow returns the conversation behind a link. Any token that opens
// nothing, malformed or unknown, is KindNotFound, alike in words and work.
func (s *Reporting) Follow(ctx context.Context, token string) (out ReporterInteraction, err error) {
	defer domain.Wrap(&err, "app.Reporting.Follow")
	return s.follow(ctx, token)
}

// follow reads the conversation behind a link, in a read of its own.
func (s *Reporting) follow(ctx context.Context, token string) (out ReporterInteraction, err error) {
	err = s.store.View(ctx, func(tx ports.Tx) error {
		ia, form, org, err := interactionByToken(ctx, tx, token)
		if err != nil {
			return err
		}
		msgs, err := tx.Messages().List(ctx, ia.ID)
		if err != nil {
			return err
		}
		names := map[domain.StaffID]string{}
		out = ReporterInteraction{Ref: ia.Ref, FormName: form.Name, FormCode: form.Code, Status: ia.Status, Accepting: org.AcceptsReports(s.now()), OutOfHours: form.OutOfHours, OutOfHoursCy: form.OutOfHoursCy, Language: form.Language}
		for _, m := range msgs {
			cm := ReporterMessage{FromReporter: m.Author == domain.AuthorReporter, Body: m.Body, At: m.CreatedAt}
			if !cm.FromReporter {
				if cm.StaffName, err = staffFirstName(ctx, tx, names, m.StaffID); err != nil {
					return err
				}
			}
			out.Messages = append(out.Messages, cm)
		}
		return nil
	})
	return out, err
}

// staffFirstName finds (once per conversation) the first name a reporter
// sees for a staff member; a removed account shows as "Staff".
func staffFirstName(ctx context.Context, tx ports.Tx, cache map[domain.StaffID]string, id domain.StaffID) (string, error) {
	if name, ok := cache[id]; ok {
		return name, nil
	}
	name := "Staff"
	m, err := tx.Staff().Get(ctx, id)
	switch {
	case err == nil:
		name = m.FirstName
	case domain.KindOf(err) != domain.KindNotFound:
		return "", err
	}
	cache[id] = name
	return name, nil
}

func interactionByToken(ctx context.Context, tx ports.Tx, token string) (*domain.Interaction, *domain.Form, *domain.Organisation, error) {
	t, err := domain.ParseToken(token)
	if err != nil {
		t = unknownToken
	}
	ia, err := tx.Interactions().GetByToken(ctx, t)
	if err == nil && t == unknownToken {
		err = &domain.Error{Kind: domain.KindNotFound}
	}
	if err != nil {
		return nil, nil, nil, errNoSuchLink(err)
	}
	form, err := tx.Forms().Get(ctx, ia.FormID)
	if err != nil {
		return nil, nil, nil, err
	}
	org, err := tx.Organisations().Get(ctx, ia.OrgID)
	if err != nil {
		return nil, nil, nil, err
	}
	return ia, form, org, nil
}

// errNoSuchLink is the one answer to a link that opens nothing:
// malformed, unknown or erased, alike.
func errNoSuchLink(cause error) error {
	return &domain.Error{Kind: domain.KindNotFound, Safe: domain.Say("no such conversation"), Err: cause}
}
