package app

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// Limits on an organisation's own swear words: enough for local slang and
// names used as insults, few enough to keep the filter quick.
const (
	MaxSwearWords      = 200
	MaxSwearWordLength = 50
)

// OrgSettings is what an organisation's admins may change about it.
type OrgSettings struct {
	// RetentionMonths is 6, 12, 24 or 36, as typed or chosen.
	RetentionMonths string
	// RequireTOTP makes everyone sign in with an authenticator code.
	RequireTOTP bool
	// SwearWords is the organisation's own list, one word or phrase a line.
	SwearWords string
}

// UpdateOrgSettings saves the organisation's retention period, TOTP
// requirement and swear words. Shortening the retention period makes older
// interactions due for erasure sooner: the next purge erases them.
func (s *Admin) UpdateOrgSettings(ctx context.Context, a *Actor, in OrgSettings) (org *domain.Organisation, err error) {
	defer domain.Wrap(&err, "app.Admin.UpdateOrgSettings")
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	var problems domain.Problems
	months, convErr := strconv.Atoi(strings.TrimSpace(in.RetentionMonths))
	retention, err := domain.ParseRetention(months)
	if convErr != nil {
		err = domain.Errorf(domain.KindInvalid, "choose 6, 12, 24 or 36 months")
	}
	problems.Add("retention", err)
	words, err := parseSwearWords(in.SwearWords)
	problems.Add("swear_words", err)
	if err := problems.Invalid(); err != nil {
		return nil, err
	}
	err = s.changeIntake(ctx, func(tx ports.Tx) error {
		var was domain.Organisation
		org, err = tx.Organisations().Change(ctx, a.Org.ID, func(org *domain.Organisation) error {
			was = *org
			org.Retention, org.RequireTOTP, org.SwearWords = retention, in.RequireTOTP, words
			return nil
		})
		if err != nil {
			return err
		}
		if was.Retention != org.Retention {
			e := byStaff(a, domain.AuditOrgRetention, map[string]string{"from": strconv.Itoa(int(was.Retention)), "to": strconv.Itoa(int(org.Retention))})
			if err := s.record(ctx, tx, e); err != nil {
				return err
			}
		}
		if was.RequireTOTP != org.RequireTOTP || !slices.Equal(was.SwearWords, org.SwearWords) {
			// The words themselves stay out of the log: a count shows that
			// the list changed.
			e := byStaff(a, domain.AuditOrgSettings, map[string]string{"require_totp": strconv.FormatBool(org.RequireTOTP), "swear_words": howMany(org.SwearWords)})
			return s.record(ctx, tx, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return org, nil
}

// parseSwearWords reads one word or phrase a line, dropping blank lines
// and repeats (in any case), and applies the limits. Errors name the line,
// never its words.
func parseSwearWords(text string) ([]string, error) {
	words := []string{}
	seen := map[string]bool{}
	for i, line := range strings.Split(text, "\n") {
		w := strings.Join(strings.Fields(line), " ")
		if w == "" {
			continue
		}
		if utf8.RuneCountInString(w) > MaxSwearWordLength {
			return nil, domain.Errorf(domain.KindInvalid, "line %d is longer than %d characters", i+1, MaxSwearWordLength)
		}
		if key := strings.ToLower(w); !seen[key] {
			seen[key] = true
			words = append(words, w)
		}
	}
	if len(words) > MaxSwearWords {
		return nil, domain.Errorf(domain.KindInvalid, "the list has %d entries; at most %d are allowed", len(words), MaxSwearWords)
	}
	return words, nil
}
