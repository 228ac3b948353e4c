package app

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// MaxFormText is the longest intro, response-time or out-of-hours text,
// in characters: room for a few paragraphs a pupil will still read.
const MaxFormText = 2000

// FormSettings are a form's texts and settings as an admin edits them.
type FormSettings struct {
	Name         string
	Intro        string
	ResponseTime string
	OutOfHours   string
	// IntroCy, ResponseTimeCy and OutOfHoursCy are the same in Welsh;
	// empty for none.
	IntroCy, ResponseTimeCy, OutOfHoursCy string
	// Language is en or cy; SwearPolicy is off, flag or block.
	Language    string
	SwearPolicy string
	// PrivacyURL is the school's own privacy notice, https only; empty
	// for none.
	PrivacyURL string
	// ResponseTargetHours is the response target in whole hours, 1 to
	// 720; empty keeps the form's.
	ResponseTargetHours string
}

// UpdateForm saves a form's name, texts, language, swear-word policy and
// privacy notice link.
// Its code is left alone: it is printed on posters and saved in phones.
func (s *Admin) UpdateForm(ctx context.Context, a *Actor, id domain.FormID, in FormSettings) (form *domain.Form, err error) {
	defer domain.Wrap(&err, "app.Admin.UpdateForm")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var problems domain.Problems
	problems.Add("name", checkFormName(in.Name))
	problems.Add("intro", checkFormText(in.Intro))
	problems.Add("response_time", checkFormText(in.ResponseTime))
	problems.Add("out_of_hours", checkFormText(in.OutOfHours))
	problems.Add("intro_cy", checkFormText(in.IntroCy))
	problems.Add("response_time_cy", checkFormText(in.ResponseTimeCy))
	problems.Add("out_of_hours_cy", checkFormText(in.OutOfHoursCy))
	lang, err := domain.ParseLanguage(in.Language)
	problems.Add("language", err)
	policy, err := domain.ParseSwearPolicy(in.SwearPolicy)
	problems.Add("swear_policy", err)
	privacy, err := domain.ParsePrivacyURL(in.PrivacyURL)
	problems.Add("privacy_url", err)
	target := 0 // keep
	if strings.TrimSpace(in.ResponseTargetHours) != "" {
		target, err = domain.ParseResponseTarget(in.ResponseTargetHours)
		problems.Add("response_target_hours", err)
	}
	// The form must be the actor's before its problems are told: another
	// organisation's form is simply not found.
	err = s.changeIntake(ctx, func(tx ports.Tx) error {
		if _, err := ownForm(ctx, tx, a, id); err != nil {
			return err
		}
		if err := problems.Invalid(); err != nil {
			return err
		}
		var was domain.SwearPolicy
		form, err = tx.Forms().Change(ctx, id, func(form *domain.Form) error {
			was = form.SwearPolicy
			form.Name = strings.TrimSpace(in.Name)
			form.Intro, form.ResponseTime, form.OutOfHours = formText(in.Intro), formText(in.ResponseTime), formText(in.OutOfHours)
			form.IntroCy, form.ResponseTimeCy, form.OutOfHoursCy = formText(in.IntroCy), formText(in.ResponseTimeCy), formText(in.OutOfHoursCy)
			form.Language, form.SwearPolicy, form.PrivacyURL = lang, policy, privacy
			if target != 0 {
				form.ResponseTargetHours = target
			}
			return nil
		})
		if err != nil {
			return err
		}
		return s.record(ctx, tx, byStaff(a, domain.AuditFormChange, map[string]string{"form": string(id),
			"language": string(form.Language), "swear_policy": string(form.SwearPolicy), "swear_policy_was": string(was), "privacy_url": form.PrivacyURL,
			"response_target_hours": strconv.Itoa(form.ResponseTargetHours)}))
	})
	if err != nil {
		return nil, err
	}
	return form, nil
}

// formText tidies a text: line endings as browsers send them become
// newlines, and surrounding blank space goes.
func formText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

func checkFormText(s string) error {
	if utf8.RuneCountInString(formText(s)) > MaxFormText {
		return domain.Errorf(domain.KindInvalid, "this text is at most %d characters", MaxFormText)
	}
	return nil
}
