package http

import (
	nethttp "net/http"
)

// confirmations are the sentences a portal page shows, once, to say what
// the action that led to it did. An action that worked answers 303 to the
// page to show next with ?done=WORD (see redirectDone), and that page
// shows the sentence for WORD (see confirmation). Only these fixed
// sentences are ever shown: nothing from the URL is echoed, so a forged
// link can show nothing but them.
var confirmations = map[string]string{
	// Signing in and the member's own account.
	"password-set": "Your password is set. Sign in with it now.",
	"password":     "Your password has been changed. Anywhere else you were signed in has been signed out.",
	"totp-off":     "Your authenticator app has been turned off. You now sign in with your password alone.",

	// A report's page.
	"replied":  "Your reply has been added to the conversation.",
	"closed":   "The report is closed.",
	"reopened": "The report is open.",
	"moved":    "The report has been moved.",

	// The admin pages.
	"form-created":   "The form was created, with one inbox named General.",
	"form-saved":     "The form's changes were saved.",
	"form-opened":    "The form is open and takes reports again.",
	"form-closed":    "The form is closed. It shows your out-of-hours text instead.",
	"inbox-created":  "The inbox was added. Pupils can now choose it when they write a report.",
	"inbox-saved":    "The inbox's changes were saved.",
	"invited":        "The invitation is on its way. Its link works for 24 hours.",
	"member-saved":   "The changes were saved.",
	"member-removed": "The member was removed and signed out everywhere.",
	"settings-saved": "The settings were saved.",
}

// redirectDone answers an action that worked: 303 to path, asking the page
// there to confirm done, one of the words in confirmations.
func redirectDone(w nethttp.ResponseWriter, r *nethttp.Request, path, done string) error {
	nethttp.Redirect(w, r, path+"?done="+done, nethttp.StatusSeeOther)
	return nil
}

// confirmation returns the sentence the request's ?done= asks for, or ""
// for none or a word that is not in confirmations.
func confirmation(r *nethttp.Request) string {
	return confirmations[r.URL.Query().Get("done")]
}
