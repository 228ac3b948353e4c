package domain

import (
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Form is the public face of one school: its page /r/{code} and its SMS
// prefix. Reports reach it and land in one of its inboxes.
type Form struct {
	ID           FormID
	OrgID        OrgID
	Name         string
	Code         FormCode
	Intro        string
	ResponseTime string
	// OutOfHours is shown instead of the form while the form is closed.
	OutOfHours string
	// IntroCy, ResponseTimeCy and OutOfHoursCy are the same texts in
	// Welsh, empty when the school wrote none (see In).
	IntroCy, ResponseTimeCy, OutOfHoursCy string
	// PrivacyURL is the school's own privacy notice, linked from the form
	// and the user notice; empty for none. Always https (ParsePrivacyURL).
	PrivacyURL  string
	Language    Language
	SwearPolicy SwearPolicy
	Open        bool
	CreatedAt   time.Time
	// ResponseTargetHours is how long a reporter's message may wait for a
	// reply before the staff list shows it overdue (see ParseResponseTarget).
	ResponseTargetHours int
}

// FormCode names a form in its URL and prefixes its texts. It is stored in
// upper case and matched case-insensitively.
type FormCode string

// Form code lengths.
const (
	MinFormCode = 3
	MaxFormCode = 12
)

// reservedCodes are words that carriers and phones treat as commands; a
// form with such a code would have its first texts eaten or misrouted.
var reservedCodes = map[FormCode]bool{
	"STOP": true, "STOPALL": true, "UNSTOP": true, "START": true, "HELP": true, "INFO": true,
	"CANCEL": true, "END": true, "QUIT": true, "UNSUBSCRIBE": true, "YES": true, "NO": true,
	// Whisper's own: a texter asks for a fresh conversation link with
	// these (see IsLinkRequest).
	"LINK": true, "DOLEN": true,
}

// ParseFormCode checks and normalises a form code: 3 to 12 letters A–Z and
// digits, in any case.
func ParseFormCode(s string) (FormCode, error) {
	// Upper-case ASCII only: strings.ToUpper would turn "ı" into "I" and let
	// look-alike codes through.
	code := FormCode(strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, strings.TrimSpace(s)))
	if len(code) < MinFormCode || len(code) > MaxFormCode {
		return "", Errorf(KindInvalid, "a form code has %d to %d letters and digits", MinFormCode, MaxFormCode)
	}
	for _, r := range code {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return "", Errorf(KindInvalid, "a form code has only letters A–Z and digits")
		}
	}
	if reservedCodes[code] {
		return "", Errorf(KindInvalid, "%s is a word phones use for SMS commands; choose another code", code)
	}
	return code, nil
}

// SuggestFormCode makes a code from the initials of name (at most four) and
// two random digits, e.g. "Oakfield Primary School" → "OPS47". The caller
// tries again when the code is taken.
func SuggestFormCode(name string, random io.Reader) (FormCode, error) {
	var initials []rune
	for _, word := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r := unicode.ToUpper([]rune(word)[0])
		if (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			initials = append(initials, r)
		}
		if len(initials) == 4 {
			break
		}
	}
	if len(initials) == 0 {
		initials = []rune("WSP")
	}
	var b [1]byte
	if _, err := io.ReadFull(random, b[:]); err != nil {
		return "", fmt.Errorf("reading randomness: %w", err)
	}
	code := fmt.Sprintf("%s%02d", string(initials), int(b[0])%100)
	return ParseFormCode(code)
}

// MaxPrivacyURL is the longest privacy notice address a form keeps.
const MaxPrivacyURL = 500

// ParsePrivacyURL checks the address of a school's privacy notice. Empty
// (after trimming) means none. Otherwise it must be an absolute https
// address with a host and no user name or password: a reporter follows it
// from a page about keeping them safe, so it must not go out unencrypted
// or carry credentials.
func ParsePrivacyURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if utf8.RuneCountInString(s) > MaxPrivacyURL {
		return "", Errorf(KindInvalid, "the privacy notice's address is at most %d characters", MaxPrivacyURL)
	}
	u, err := url.Parse(s)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Host == "" || u.Hostname() == "" ||
		u.User != nil || strings.ContainsFunc(s, unicode.IsSpace) {
		return "", Errorf(KindInvalid, "the privacy notice's address must be a full web address starting with https://")
	}
	return u.String(), nil
}

// Language is the language a form's pages open in.
type Language string

// The languages Whisper speaks to reporters.
const (
	English Language = "en"
	Welsh   Language = "cy"
)

// ParseLanguage accepts "en" or "cy".
func ParseLanguage(s string) (Language, error) {
	switch l := Language(strings.ToLower(strings.TrimSpace(s))); l {
	case English, Welsh:
		return l, nil
	}
	return "", Errorf(KindInvalid, "language must be en or cy, not %q", s)
}

// SwearPolicy says what a form does with a report that contains swearing.
// A report about abuse often quotes it, so the default only flags.
type SwearPolicy string

// The swear-word policies.
const (
	SwearOff   SwearPolicy = "off"
	SwearFlag  SwearPolicy = "flag"
	SwearBlock SwearPolicy = "block"
)

// ParseSwearPolicy accepts off, flag or block.
func ParseSwearPolicy(s string) (SwearPolicy, error) {
	switch p := SwearPolicy(strings.ToLower(strings.TrimSpace(s))); p {
	case SwearOff, SwearFlag, SwearBlock:
		return p, nil
	}
	return "", Errorf(KindInvalid, "swear-word policy must be off, flag or block, not %q", s)
}

// Swearing is what the swear-word filter found in a message.
type Swearing uint8

// What the filter can find, from least to most.
const (
	// NoSwearing: nothing on the lists.
	NoSwearing Swearing = iota
	// SwearWords: swearing, crude or sexual words, a slur, or an
	// organisation's own word, but not aimed at anyone. A child describing
	// what happened to them writes like this ("he made me touch his dick").
	SwearWords
	// SwearingAtSomeone: a word of the lists used to call someone a name
	// ("you're a slag") or a curse at someone ("fuck off"). Words for the
	// body, sex, abuse and self-harm never make a message this on their own.
	SwearingAtSomeone
)

// Judge says what the policy does with a message in which the filter
// found what found says: flag it for staff, or refuse it. The rule a child
// can rely on: only an insult or curse aimed at someone is ever refused,
// and only under block; everything else on the lists is at most flagged.
func (p SwearPolicy) Judge(found Swearing) (flag, refuse bool) {
	switch {
	case p == SwearOff || found == NoSwearing:
		return false, false
	case p == SwearBlock && found == SwearingAtSomeone:
		return false, true
	}
	return true, false
}

// NewForm checks a new form. It opens in English, flags swearing and is open.
func NewForm(id FormID, org OrgID, name string, code FormCode, now time.Time) (*Form, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, Errorf(KindInvalid, "a form needs a name")
	}
	if utf8.RuneCountInString(name) > 200 {
		return nil, Errorf(KindInvalid, "a form name is at most 200 characters")
	}
	code, err := ParseFormCode(string(code))
	if err != nil {
		return nil, err
	}
	return &Form{
		ID: id, OrgID: org, Name: name, Code: code,
		Language: English, SwearPolicy: SwearFlag, Open: true, CreatedAt: now,
		ResponseTargetHours: DefaultResponseTargetHours,
	}, nil
}

// Inbox is where reports land. Its name is the category a reporter picks
// when a form has more than one inbox.
type Inbox struct {
	ID     InboxID
	FormID FormID
	OrgID  OrgID
	Name   string
	// NameCy is the name in Welsh, empty for none (see In).
	NameCy string
	// Notify lists the addresses told of each new report and reply; they
	// get a link to the portal, never the report itself.
	Notify []string
	// Position orders a form's inboxes on the reporter's form.
	Position int
	// Texts marks the one open inbox of its form that text messages land
	// in (see ArrangeInboxes).
	Texts bool
	// ArchivedAt, when set, is when the inbox stopped taking new reports:
	// it is no longer offered, while its interactions stay as they are.
	ArchivedAt *time.Time
	CreatedAt  time.Time
}

// Open reports whether the inbox takes new reports.
func (ib *Inbox) Open() bool { return ib.ArchivedAt == nil }

// InboxNameKey is what two names of one form's inboxes must not share:
// the name in lower case with its spaces collapsed, so that "Bullying"
// and " bullying " are one category to a reporter and to the store.
func InboxNameKey(name string) string {
	return strings.ToLower(strings.Join(strings.Fields(name), " "))
}

// In returns the form as a reporter reading lang sees it: its own texts
// in that language, or, where the school wrote none in it, in the other.
func (f *Form) In(lang Language) *Form {
	out := *f
	out.Intro = InLanguage(lang, f.Intro, f.IntroCy)
	out.ResponseTime = InLanguage(lang, f.ResponseTime, f.ResponseTimeCy)
	out.OutOfHours = InLanguage(lang, f.OutOfHours, f.OutOfHoursCy)
	return &out
}

// In returns the inbox as a reporter reading lang sees it: named in that
// language, or in the other when it has no name in it.
func (ib *Inbox) In(lang Language) *Inbox {
	out := *ib
	out.Name = InLanguage(lang, ib.Name, ib.NameCy)
	return &out
}

// InLanguage chooses between a text in English and in Welsh for a reader
// of lang, falling back to the other when the one in lang is empty.
func InLanguage(lang Language, en, cy string) string {
	if (lang == Welsh && cy != "") || en == "" {
		return cy
	}
	return en
}

// InboxNameTaken is the error for a name another inbox of the form has.
func InboxNameTaken(name string, cause error) error {
	return &Error{Kind: KindConflict, Safe: Say("this form already has an inbox named %s", strings.TrimSpace(name)), Err: cause}
}

// InboxWelshNameTaken is the conflict of naming an inbox in Welsh as
// another inbox of its form is named in Welsh. It is a problem of the
// field name_cy.
func InboxWelshNameTaken(name string, cause error) error {
	return &Error{Kind: KindConflict, Safe: Say("this form already has an inbox named %s in Welsh", strings.TrimSpace(name)), Err: cause}
}

// ErrInboxArchived is a report for an inbox archived meanwhile; the store
// refuses it whatever a caller read before.
var ErrInboxArchived = &Error{Kind: KindInvalid, Safe: Say("That category no longer takes reports. Please choose another.")}

// DefaultInboxName is the name of the inbox every new form starts with.
const DefaultInboxName = "General"

// NewInbox checks a new inbox of form.
func NewInbox(id InboxID, form *Form, name string, notify []string, position int, now time.Time) (*Inbox, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, Errorf(KindInvalid, "an inbox needs a name")
	}
	if utf8.RuneCountInString(name) > 100 {
		return nil, Errorf(KindInvalid, "an inbox name is at most 100 characters")
	}
	var addrs []string
	for _, a := range notify {
		if strings.TrimSpace(a) == "" {
			continue
		}
		addr, err := ParseEmail(a)
		if err != nil {
			return nil, err
		}
		addrs = append(addrs, addr)
	}
	return &Inbox{
		ID: id, FormID: form.ID, OrgID: form.OrgID, Name: name,
		Notify: addrs, Position: position, CreatedAt: now,
	}, nil
}
