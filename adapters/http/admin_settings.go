package http

import (
	nethttp "net/http"
	"strconv"
	"strings"

	"github.com/whisper-schools/whisper/app"
	"github.com/whisper-schools/whisper/domain"
)

// adminSettingsPage sets the organisation's retention period, TOTP
// requirement and own swear words.
type adminSettingsPage struct {
	Staff    staffChrome
	Org      *domain.Organisation
	Values   app.OrgSettings
	Problems fieldProblems
	// Retentions are the periods to choose from, in months.
	Retentions []string
	// MaxSwearWords and MaxSwearWordLength are the list's limits, for the
	// hint.
	MaxSwearWords, MaxSwearWordLength int
	// SSO is the organisation's single sign-on, shown and not changed
	// here (the operator sets it); nil when it has none.
	SSO *domain.SSOSetting
}

func (s *Server) settingsPage(r *nethttp.Request, a *app.Actor, org *domain.Organisation, v app.OrgSettings) (adminSettingsPage, error) {
	sso, err := s.app.Admin.SSO(r.Context(), a)
	return adminSettingsPage{
		Staff: s.adminChrome(a, r), Org: org, Values: v,
		Retentions:    []string{"6", "12", "24", "36"},
		MaxSwearWords: app.MaxSwearWords, MaxSwearWordLength: app.MaxSwearWordLength,
		SSO: sso,
	}, err
}

func (s *Server) adminSettings(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	org, err := s.app.Admin.Organisation(r.Context(), a)
	if err != nil {
		return err
	}
	v := app.OrgSettings{
		RetentionMonths: strconv.Itoa(int(org.Retention)), RequireTOTP: org.RequireTOTP,
		SwearWords: strings.Join(org.SwearWords, "\n"),
	}
	page, err := s.settingsPage(r, a, org, v)
	if err != nil {
		return err
	}
	return s.render(w, nethttp.StatusOK, "staff/admin_settings", page)
}

func (s *Server) adminUpdateSettings(w nethttp.ResponseWriter, r *nethttp.Request, a *app.Actor) error {
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	in := app.OrgSettings{
		RetentionMonths: r.PostFormValue("retention"), RequireTOTP: r.PostFormValue("require_totp") == "on",
		SwearWords: r.PostFormValue("swear_words"),
	}
	_, err := s.app.Admin.UpdateOrgSettings(r.Context(), a, in)
	if problems := adminProblems(a, err); problems != nil {
		org, err := s.app.Admin.Organisation(r.Context(), a)
		if err != nil {
			return err
		}
		page, err := s.settingsPage(r, a, org, in)
		if err != nil {
			return err
		}
		page.Problems = problems
		return s.render(w, nethttp.StatusUnprocessableEntity, "staff/admin_settings", page)
	}
	if err != nil {
		return err
	}
	return s.redirectDone(w, r, "/staff/admin/settings", doneSettingsSaved)
}
