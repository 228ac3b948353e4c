package domain_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

func TestParseFormCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want domain.FormCode // "" for a rejection
	}{
		{"upper case", "OAK", "OAK"},
		{"lower case folded", "oak", "OAK"},
		{"mixed case folded", "SwG1", "SWG1"},
		{"surrounding space", "  oak47\n", "OAK47"},
		{"digits only", "123", "123"},
		{"length 3", "ABC", "ABC"},
		{"length 12", "ABCDEFGHIJ12", "ABCDEFGHIJ12"},
		{"reserved word inside a longer code", "STOPS", "STOPS"},
		{"reserved word plus digits", "HELP47", "HELP47"},
		{"empty", "", ""},
		{"blank", "   ", ""},
		{"length 2", "AB", ""},
		{"length 2 padded to 4", " ab ", ""},
		{"length 13", "ABCDEFGHIJ123", ""},
		{"space inside", "OAK FIELD", ""},
		{"tab inside", "OAK\tFIELD", ""},
		{"dash", "OAK-1", ""},
		{"underscore", "OAK_1", ""},
		{"accented letter", "ÉCOLE", ""},
		{"Welsh letter", "BROŴYR", ""},
		{"Cyrillic look-alike", "OАK", ""}, // the A is U+0410
		{"full-width digits", "OAK１２", ""},
		{"reserved stop", "stop", ""},
		{"reserved HELP", "HELP", ""},
		{"reserved Help padded", " Help ", ""},
		{"reserved STOPALL", "stopall", ""},
		{"reserved UNSUBSCRIBE", "Unsubscribe", ""},
		{"reserved yes", "yes", ""},
		{"reserved END", "END", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseFormCode(tt.in)
			if tt.want == "" {
				requireKind(t, err, domain.KindInvalid)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSuggestFormCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		school string
		random []byte
		want   domain.FormCode
	}{
		{"initials and two digits", "Oakfield Primary School", []byte{47}, "OPS47"},
		{"digit padded", "Oakfield Primary School", []byte{7}, "OPS07"},
		{"byte taken mod 100", "Oakfield Primary School", []byte{247}, "OPS47"},
		{"byte 255", "Oakfield Primary School", []byte{255}, "OPS55"},
		{"only the first byte read", "Oakfield Primary School", []byte{12, 34}, "OPS12"},
		{"lower-case initials", "oakfield primary school", []byte{1}, "OPS01"},
		{"punctuation separates words", "St. Mary's C-of-E", []byte{0}, "SMSC00"},
		{"capped at four initials", "Saint Mary and Saint John Church of England School", []byte{99}, "SMAS99"},
		{"digit initials", "2nd Oakfield 6th Form", []byte{5}, "2O6F05"},
		{"one word", "Oakfield", []byte{10}, "O10"},
		{"non-ASCII initials skipped", "École Saint-Pierre", []byte{3}, "SP03"},
		{"Welsh name", "Ysgol Gymraeg Bro Ŵyr", []byte{3}, "YGB03"},
		{"no ASCII letters", "Школа номер один", []byte{42}, "WSP42"},
		{"empty name", "", []byte{42}, "WSP42"},
		{"only punctuation", " -- ! ", []byte{0}, "WSP00"},
		{"would be reserved without digits", "Holy Epiphany Learning Place", []byte{0}, "HELP00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.SuggestFormCode(tt.school, bytes.NewReader(tt.random))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			parsed, err := domain.ParseFormCode(string(got))
			require.NoError(t, err)
			assert.Equal(t, got, parsed)
		})
	}

	t.Run("no randomness", func(t *testing.T) {
		t.Parallel()
		got, err := domain.SuggestFormCode("Oakfield", bytes.NewReader(nil))
		assert.ErrorIs(t, err, io.EOF)
		assert.Equal(t, domain.KindInternal, domain.KindOf(err))
		assert.Empty(t, got)
	})
}

func TestParseLanguage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want domain.Language
	}{
		{"en", domain.English},
		{"cy", domain.Welsh},
		{"EN", domain.English},
		{" Cy ", domain.Welsh},
		{"", ""},
		{"fr", ""},
		{"en-GB", ""},
		{"english", ""},
		{"welsh", ""},
	}
	for _, tt := range tests {
		got, err := domain.ParseLanguage(tt.in)
		if tt.want == "" {
			requireKind(t, err, domain.KindInvalid)
			assert.Empty(t, got)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got)
	}
}

func TestParseSwearPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want domain.SwearPolicy
	}{
		{"off", domain.SwearOff},
		{"flag", domain.SwearFlag},
		{"block", domain.SwearBlock},
		{"BLOCK", domain.SwearBlock},
		{" Flag\t", domain.SwearFlag},
		{"", ""},
		{"on", ""},
		{"censor", ""},
		{"flag,block", ""},
	}
	for _, tt := range tests {
		got, err := domain.ParseSwearPolicy(tt.in)
		if tt.want == "" {
			requireKind(t, err, domain.KindInvalid)
			assert.Empty(t, got)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got)
	}
}

func TestNewForm(t *testing.T) {
	t.Parallel()
	const (
		id  = domain.FormID("frm_aaaaaaaaaaaaaaaaaaaa")
		org = domain.OrgID("org_aaaaaaaaaaaaaaaaaaaa")
	)
	tests := []struct {
		name     string
		formName string
		code     domain.FormCode
		wantErr  bool
		wantName string
	}{
		{name: "defaults", formName: "Oakfield Primary", code: "OPS47", wantName: "Oakfield Primary"},
		{name: "name trimmed", formName: "\tOakfield ", code: "OAK", wantName: "Oakfield"},
		{name: "name of 200", formName: strings.Repeat("x", 200), code: "OAK", wantName: strings.Repeat("x", 200)},
		{name: "empty name", formName: "", code: "OAK", wantErr: true},
		{name: "blank name", formName: "  ", code: "OAK", wantErr: true},
		{name: "name of 201", formName: strings.Repeat("x", 201), code: "OAK", wantErr: true},
		{name: "empty code", formName: "Oakfield", code: "", wantErr: true},
		{name: "short code", formName: "Oakfield", code: "OA", wantErr: true},
		{name: "reserved code", formName: "Oakfield", code: "STOP", wantErr: true},
		{name: "bad code", formName: "Oakfield", code: "OAK-1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, err := domain.NewForm(id, org, tt.formName, tt.code, t0)
			if tt.wantErr {
				requireKind(t, err, domain.KindInvalid)
				assert.Nil(t, f)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, domain.Form{
				ID: id, OrgID: org, Name: tt.wantName, Code: tt.code,
				Language: domain.English, SwearPolicy: domain.SwearFlag, Open: true, CreatedAt: t0,
				ResponseTargetHours: domain.DefaultResponseTargetHours,
			}, *f)
		})
	}
}

// TestNewFormNormalisesCode documents a BUG: NewForm checks the code with
// ParseFormCode but keeps the caller's spelling, so "oak" is stored as "oak"
// although form codes are "stored in upper case" (and " oak " keeps its
// spaces). Two forms "oak" and "OAK" could then both be created.
func TestNewFormNormalisesCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   domain.FormCode
		want domain.FormCode
	}{
		{"oak", "OAK"},
		{"Ops47", "OPS47"},
		{" OAK ", "OAK"},
	}
	for _, tt := range tests {
		f, err := domain.NewForm("frm_aaaaaaaaaaaaaaaaaaaa", "org_aaaaaaaaaaaaaaaaaaaa", "Oakfield", tt.in, t0)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, f.Code, "BUG: NewForm does not normalise the code %q", tt.in)
	}
}

func TestNewInbox(t *testing.T) {
	t.Parallel()
	form := &domain.Form{ID: "frm_aaaaaaaaaaaaaaaaaaaa", OrgID: "org_aaaaaaaaaaaaaaaaaaaa"}
	const id = domain.InboxID("inb_aaaaaaaaaaaaaaaaaaaa")
	tests := []struct {
		name       string
		inboxName  string
		notify     []string
		wantErr    bool
		wantName   string
		wantNotify []string
	}{
		{name: "no addresses", inboxName: domain.DefaultInboxName, notify: nil, wantName: "General", wantNotify: nil},
		{name: "valid addresses normalised", inboxName: "Bullying",
			notify:     []string{"Head@Oakfield.SCH.uk", " dsl@oakfield.sch.uk "},
			wantName:   "Bullying",
			wantNotify: []string{"Head@oakfield.sch.uk", "dsl@oakfield.sch.uk"}},
		{name: "blank addresses skipped", inboxName: "Bullying",
			notify:     []string{"", "  ", "dsl@oakfield.sch.uk", "\t"},
			wantName:   "Bullying",
			wantNotify: []string{"dsl@oakfield.sch.uk"}},
		{name: "only blank addresses", inboxName: "Bullying", notify: []string{"", " "}, wantName: "Bullying", wantNotify: nil},
		{name: "name trimmed", inboxName: "  Safeguarding\n", wantName: "Safeguarding", wantNotify: nil},
		{name: "name of 100", inboxName: strings.Repeat("x", 100), wantName: strings.Repeat("x", 100), wantNotify: nil},
		{name: "invalid address", inboxName: "Bullying", notify: []string{"dsl@oakfield.sch.uk", "not an address"}, wantErr: true},
		{name: "display-name address", inboxName: "Bullying", notify: []string{"DSL <dsl@oakfield.sch.uk>"}, wantErr: true},
		{name: "empty name", inboxName: "", wantErr: true},
		{name: "blank name", inboxName: " \t", wantErr: true},
		{name: "name of 101", inboxName: strings.Repeat("x", 101), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ib, err := domain.NewInbox(id, form, tt.inboxName, tt.notify, 2, t0)
			if tt.wantErr {
				requireKind(t, err, domain.KindInvalid)
				assert.Nil(t, ib)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, domain.Inbox{
				ID: id, FormID: form.ID, OrgID: form.OrgID, Name: tt.wantName,
				Notify: tt.wantNotify, Position: 2, CreatedAt: t0,
			}, *ib)
		})
	}
}

func TestParsePrivacyURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "",
		"   ":                             "",
		"https://oakfield.sch.uk/privacy": "https://oakfield.sch.uk/privacy",
		" HTTPS://oakfield.sch.uk/privacy?lang=cy#top ": "https://oakfield.sch.uk/privacy?lang=cy#top",
	} {
		got, err := domain.ParsePrivacyURL(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, in := range []string{
		"http://oakfield.sch.uk/privacy", // unencrypted
		"oakfield.sch.uk/privacy",
		"https:///privacy",
		"https://user:pass@oakfield.sch.uk/privacy",
		"javascript:alert(1)",
		"https://oakfield.sch.uk/privacy notice",
		"https://oakfield.sch.uk/" + strings.Repeat("a", domain.MaxPrivacyURL),
	} {
		_, err := domain.ParsePrivacyURL(in)
		assert.Equal(t, domain.KindInvalid, domain.KindOf(err), in)
	}
}

// Only swearing aimed at someone is ever refused, and only under block.
func TestSwearPolicyJudge(t *testing.T) {
	for _, tc := range []struct {
		policy        domain.SwearPolicy
		found         domain.Swearing
		flag, refused bool
	}{
		{domain.SwearOff, domain.SwearingAtSomeone, false, false},
		{domain.SwearFlag, domain.NoSwearing, false, false},
		{domain.SwearFlag, domain.SwearWords, true, false},
		{domain.SwearFlag, domain.SwearingAtSomeone, true, false},
		{domain.SwearBlock, domain.NoSwearing, false, false},
		{domain.SwearBlock, domain.SwearWords, true, false},
		{domain.SwearBlock, domain.SwearingAtSomeone, false, true},
	} {
		flag, refused := tc.policy.Judge(tc.found)
		assert.Equal(t, [2]bool{tc.flag, tc.refused}, [2]bool{flag, refused}, "%s %d", tc.policy, tc.found)
	}
}
