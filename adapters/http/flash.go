package http

import (
	nethttp "net/http"
)

// A portal action that worked answers 303 to the page to show next, and
// that page says, once, what was done: "Your reply has been added to the
// conversation." The word for it travels in a one-time cookie, never in
// the address. A word in the address is a link anyone can send: a member
// of staff could be shown "Your password has been changed" when it was
// not, in a portal where believing a false confirmation matters. It would
// also stay in the browser's history, in logs and in Referer headers.
//
// The cookie carries only a word, and the page shows the sentence the
// table below has for it, in the member's language (the sentence is its
// key in the catalogue), so a forged cookie can show nothing but these
// sentences, and only in the browser that holds it.

// done is the word for one confirmation.
type done string

// The confirmations, by the page they are shown on.
const (
	// Signing in and the member's own account.
	donePasswordSet     done = "password-set"
	donePasswordChanged done = "password"
	doneTOTPOn          done = "totp-on"
	doneTOTPOff         done = "totp-off"
	doneRecoveryCodes   done = "recovery-codes"
	doneLanguage        done = "language"

	// A report's page.
	doneReplied  done = "replied"
	doneClosed   done = "closed"
	doneReopened done = "reopened"
	doneMoved    done = "moved"

	// The admin pages.
	doneFormCreated   done = "form-created"
	doneFormSaved     done = "form-saved"
	doneFormOpened    done = "form-opened"
	doneFormClosed    done = "form-closed"
	doneInboxCreated  done = "inbox-created"
	doneInboxSaved    done = "inbox-saved"
	doneInvited       done = "invited"
	doneMemberSaved   done = "member-saved"
	doneMemberRemoved done = "member-removed"
	// The ways back in for a locked-out member.
	doneInvitationResent   done = "invitation-resent"
	doneResetSent          done = "reset-sent"
	doneAuthenticatorReset done = "authenticator-reset"
	doneSettingsSaved      done = "settings-saved"

	// Arranging a form's inboxes.
	doneInboxMoved         done = "inbox-moved"
	doneInboxTexts         done = "inbox-texts"
	doneInboxArchived      done = "inbox-archived"
	doneInboxArchivedTexts done = "inbox-archived-texts"
	doneInboxUnarchived    done = "inbox-unarchived"

	// Notification choices (issue #20).
	doneNotifications done = "notifications"
)

// confirmations are the sentences the words stand for. The two shown
// with new recovery codes come in the response itself, never by cookie
// (see showRecoveryCodes).
var confirmations = map[done]string{
	donePasswordSet:     "Your password is set. Sign in with it now.",
	donePasswordChanged: "Your password has been changed. Anywhere else you were signed in has been signed out.",
	doneTOTPOn:          "Your authenticator app is set up. From now on, sign in with a code from it as well as your password.",
	doneTOTPOff:         "Your authenticator app has been turned off. You now sign in with your password alone.",
	doneRecoveryCodes:   "You have new recovery codes. The old ones no longer work.",
	doneLanguage:        "The portal and your emails now use the language you chose.",

	doneReplied:  "Your reply has been added to the conversation.",
	doneClosed:   "The report is closed.",
	doneReopened: "The report is open.",
	doneMoved:    "The report has been moved.",

	doneFormCreated:   "The form was created, with one inbox named General.",
	doneFormSaved:     "The form's changes were saved.",
	doneFormOpened:    "The form is open and takes reports again.",
	doneFormClosed:    "The form is closed. It shows your out-of-hours text instead.",
	doneInboxCreated:  "The inbox was added. Pupils can now choose it when they write a report.",
	doneInboxSaved:    "The inbox's changes were saved.",
	doneInvited:       "The invitation is on its way. Its link works for 24 hours.",
	doneMemberSaved:   "The changes were saved.",
	doneMemberRemoved: "The member was removed and signed out everywhere.",

	doneInvitationResent:   "A new invitation is on its way. Its link works for 24 hours.",
	doneResetSent:          "A link to choose a new password is on its way. It works for one hour; their password works until they use it.",
	doneAuthenticatorReset: "Their authenticator app was reset and they were signed out. They must set up a new one when they next sign in.",
	doneSettingsSaved:      "The settings were saved.",

	doneInboxMoved:         "The inbox was moved. Pupils see the categories in this order.",
	doneInboxTexts:         "Text messages now land in the inbox marked below.",
	doneInboxArchived:      "The inbox was archived. Pupils can no longer choose it; its reports stay where they are.",
	doneInboxArchivedTexts: "The inbox was archived. Pupils can no longer choose it; its reports stay where they are. Text messages now land in the first open inbox, marked below.",
	doneInboxUnarchived:    "The inbox was unarchived. Pupils can choose it again.",

	doneNotifications: "Your notification choices were saved.",
}

// flashCookie names the cookie that carries a confirmation across the
// redirect: with the __Host- prefix over HTTPS, as the session's.
func (s *Server) flashCookie() string {
	if s.secureCookies() {
		return "__Host-whisper_done"
	}
	return "whisper_done"
}

// redirectDone answers an action that worked: 303 to path, whose page
// then confirms what was done.
func (s *Server) redirectDone(w nethttp.ResponseWriter, r *nethttp.Request, path string, what done) error {
	// A minute is ample for a browser to follow a redirect; a confirmation
	// left behind by one that did not must not turn up much later.
	nethttp.SetCookie(w, &nethttp.Cookie{
		Name: s.flashCookie(), Value: string(what), Path: "/", MaxAge: 60,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: nethttp.SameSiteLaxMode,
	})
	nethttp.Redirect(w, r, path, nethttp.StatusSeeOther)
	return nil
}

// flash returns the confirmation waiting for the page answering r, if
// any. Only a GET shows one, since a redirect leads to a GET; a form
// shown again with its problems does not.
func (s *Server) flash(r *nethttp.Request) string {
	if r.Method != nethttp.MethodGet {
		return ""
	}
	c, err := r.Cookie(s.flashCookie())
	if err != nil {
		return ""
	}
	return confirmations[done(c.Value)]
}

// forgetFlash deletes a waiting confirmation from the browser. Every
// staff page a GET answers calls it (staffPage, staffPublic), whether it
// shows the confirmation or not, so that it is shown once, on the page the
// redirect leads to, and never turns up later on another page: that page
// may have failed, or sent the browser on elsewhere.
func (s *Server) forgetFlash(w nethttp.ResponseWriter, r *nethttp.Request) {
	if r.Method != nethttp.MethodGet {
		return
	}
	if _, err := r.Cookie(s.flashCookie()); err != nil {
		return
	}
	nethttp.SetCookie(w, &nethttp.Cookie{
		Name: s.flashCookie(), Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secureCookies(), SameSite: nethttp.SameSiteLaxMode,
	})
}
