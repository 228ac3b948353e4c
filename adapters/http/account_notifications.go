package http

import (
	nethttp "net/http"
	"strings"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// The account page's notification choices (issue #20): for each inbox the
// member is assigned to, every report and reply at once, a daily digest,
// or none.

// formNotifications names the notification form on the account page.
const formNotifications = "notifications"

// notifyPrefix begins the name of each inbox's field: notify-<inbox id>.
const notifyPrefix = "notify-"

// inboxChoice is one inbox's fieldset on the account page.
type inboxChoice struct {
	// Field is the radios' name and the fieldset's id.
	Field string
	// Name is the inbox's name in the member's language.
	Name string
	Mode domain.NotifyMode
}

// notificationChoices are the member's inboxes and their choices, for the
// account page.
func (s *Server) notificationChoices(r *nethttp.Request, a *app.Actor) ([]inboxChoice, error) {
	prefs, err := s.app.Casework.NotificationPreferences(r.Context(), a)
	if err != nil {
		return nil, err
	}
	out := make([]inboxChoice, len(prefs))
	for i, p := range prefs {
		out[i] = inboxChoice{Field: app.NotifyField(p.Inbox.ID), Name: domain.InLanguage(staffLang(a), p.Inbox.Name, p.Inbox.NameCy), Mode: p.Mode}
	}
	return out, nil
}

// setNotifications saves the choices posted, all or none. A choice that is
// not one of the three shows the page again (422) with the problem by its
// inbox; a choice for an inbox the member is not assigned to is 404, as for
// one that does not exist.
func (s *Server) setNotifications(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	r.Body = nethttp.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return s.tooLargeStaff(err)
	}
	choices := map[domain.InboxID]string{}
	for name, values := range r.PostForm {
		inbox, ok := strings.CutPrefix(name, notifyPrefix)
		if !ok || inbox == "" {
			continue
		}
		if len(values) != 1 {
			// Two choices for one inbox is none of the three.
			values = []string{""}
		}
		choices[domain.InboxID(inbox)] = values[0]
	}
	if len(choices) == 0 {
		return domain.Errorf(domain.KindInvalid, "The form could not be read. Please go back and try again.")
	}
	err := s.app.Casework.SetNotificationPreferences(r.Context(), a, choices)
	if problems := domain.ProblemsOf(err); problems != nil {
		page, perr := s.accountPage(r, a)
		if perr != nil {
			return perr
		}
		page.Form, page.Problems = formNotifications, staffProblems(a, problems)
		for _, p := range page.Problems {
			page.Summary = append(page.Summary, problemLink{ID: p.Field, Text: p.Safe})
		}
		// What was posted stays chosen, so the member sees what to fix.
		for i, c := range page.Notifications {
			if v, ok := r.PostForm[c.Field]; ok && len(v) == 1 {
				page.Notifications[i].Mode = domain.NotifyMode(v[0])
			}
		}
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/account", page)
	}
	if err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/account#notifications", doneNotifications)
}
