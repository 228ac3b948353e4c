package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/domain"
)

func TestParseStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want domain.Status
	}{
		{"open", domain.StatusOpen},
		{"closed", domain.StatusClosed},
		{"OPEN", domain.StatusOpen},
		{" Closed\n", domain.StatusClosed},
		{"", ""},
		{"close", ""},
		{"erased", ""},
	}
	for _, tt := range tests {
		got, err := domain.ParseStatus(tt.in)
		if tt.want == "" {
			requireKind(t, err, domain.KindInvalid)
			assert.Empty(t, got)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got)
	}
}

func TestCheckMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // "" for a rejection
	}{
		{"plain", "Someone is picking on me at lunch.", "Someone is picking on me at lunch."},
		{"trimmed", "\n  help please \t", "help please"},
		{"inner newlines kept", "line one\n\nline two", "line one\n\nline two"},
		{"10000 ASCII", strings.Repeat("a", 10000), strings.Repeat("a", 10000)},
		{"10000 two-byte runes", strings.Repeat("é", 10000), strings.Repeat("é", 10000)},
		{"10000 four-byte runes", strings.Repeat("😢", 10000), strings.Repeat("😢", 10000)},
		{"10000 after trimming", "  " + strings.Repeat("ŵ", 10000) + "\n", strings.Repeat("ŵ", 10000)},
		{"empty", "", ""},
		{"spaces", "   ", ""},
		{"whitespace mix", "\t\r\n \u00a0\u2003", ""},
		{"10001 ASCII", strings.Repeat("a", 10001), ""},
		{"10001 two-byte runes", strings.Repeat("é", 10001), ""},
		{"10001 four-byte runes", strings.Repeat("😢", 10001), ""},
		{"invalid UTF-8", "hello \xff world", ""},
		{"truncated rune", "hello \xc3", ""},
		{"surrogate half", "hello \xed\xa0\x80", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.CheckMessage(tt.in)
			if tt.want == "" {
				requireKind(t, err, domain.KindInvalid)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	t.Run("error never repeats the body", func(t *testing.T) {
		t.Parallel()
		body := "secret " + strings.Repeat("x", 10001)
		_, err := domain.CheckMessage(body)
		requireKind(t, err, domain.KindInvalid)
		assert.NotContains(t, err.Error(), "secret")
		assert.Contains(t, err.Error(), "10008")
	})
}

func TestOpenInteraction(t *testing.T) {
	t.Parallel()
	form := &domain.Form{ID: "frm_aaaaaaaaaaaaaaaaaaaa", OrgID: "org_aaaaaaaaaaaaaaaaaaaa"}
	inbox := &domain.Inbox{ID: "inb_aaaaaaaaaaaaaaaaaaaa", FormID: form.ID, OrgID: form.OrgID}
	foreign := &domain.Inbox{ID: "inb_bbbbbbbbbbbbbbbbbbbb", FormID: "frm_bbbbbbbbbbbbbbbbbbbb", OrgID: form.OrgID}
	ids := domain.IDs{
		Interaction: "int_aaaaaaaaaaaaaaaaaaaa",
		Message:     "msg_aaaaaaaaaaaaaaaaaaaa",
		Ref:         "WSP-7K3D-9QXM",
		Token:       domain.Token(strings.Repeat("A", 43)),
	}
	tests := []struct {
		name     string
		in       domain.NewReport
		wantErr  bool
		wantName string
		wantBody string
	}{
		{name: "anonymous web report", in: domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelWeb, Body: " I saw something. "},
			wantBody: "I saw something."},
		{name: "named SMS report", in: domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelSMS, Name: "  Sam ", Body: "help"},
			wantName: "Sam", wantBody: "help"},
		{name: "name of 100 characters", in: domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelWeb, Name: strings.Repeat("ŵ", 100), Body: "hi"},
			wantName: strings.Repeat("ŵ", 100), wantBody: "hi"},
		{name: "blank name", in: domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelWeb, Name: "   ", Body: "hi"},
			wantBody: "hi"},
		{name: "no inbox", in: domain.NewReport{Form: form, Channel: domain.ChannelWeb, Body: "hi"}, wantErr: true},
		{name: "inbox of another form", in: domain.NewReport{Form: form, Inbox: foreign, Channel: domain.ChannelWeb, Body: "hi"}, wantErr: true},
		{name: "empty body", in: domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelWeb, Body: " \n"}, wantErr: true},
		{name: "body too long", in: domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelWeb, Body: strings.Repeat("a", 10001)}, wantErr: true},
		{name: "invalid UTF-8 body", in: domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelWeb, Body: "\xff"}, wantErr: true},
		{name: "name of 101 characters", in: domain.NewReport{Form: form, Inbox: inbox, Channel: domain.ChannelWeb, Name: strings.Repeat("é", 101), Body: "hi"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ia, msg, tok, err := domain.OpenInteraction(ids, tt.in, t0)
			if tt.wantErr {
				requireKind(t, err, domain.KindInvalid)
				assert.Nil(t, ia)
				assert.Nil(t, msg)
				assert.Empty(t, tok)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, domain.Interaction{
				ID: ids.Interaction, Ref: ids.Ref, OrgID: form.OrgID, FormID: form.ID, InboxID: inbox.ID,
				Channel: tt.in.Channel, Status: domain.StatusOpen, ReporterName: tt.wantName,
				CreatedAt: t0, LastActivityAt: t0,
			}, *ia)
			assert.Equal(t, ia.CreatedAt, ia.LastActivityAt)
			assert.Equal(t, domain.Message{
				ID: ids.Message, InteractionID: ids.Interaction, Author: domain.AuthorReporter, Body: tt.wantBody, CreatedAt: t0,
			}, *msg)
			assert.Equal(t, ids.Token, tok)
		})
	}
}

func TestCloseReopen(t *testing.T) {
	t.Parallel()
	t1, t2, t3 := t0.Add(time.Hour), t0.Add(2*time.Hour), t0.Add(3*time.Hour)
	type step struct {
		op string // "close" or "reopen"
		at time.Time
	}
	tests := []struct {
		name         string
		steps        []step
		wantStatus   domain.Status
		wantClosedAt *time.Time
		wantActivity time.Time
	}{
		{"close", []step{{"close", t1}}, domain.StatusClosed, &t1, t0},
		{"close twice keeps the first", []step{{"close", t1}, {"close", t2}}, domain.StatusClosed, &t1, t0},
		{"close then reopen", []step{{"close", t1}, {"reopen", t2}}, domain.StatusOpen, nil, t2},
		{"reopen, close again", []step{{"close", t1}, {"reopen", t2}, {"close", t3}}, domain.StatusClosed, &t3, t2},
		{"reopen an open one", []step{{"reopen", t1}}, domain.StatusOpen, nil, t1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ia := &domain.Interaction{Status: domain.StatusOpen, CreatedAt: t0, LastActivityAt: t0}
			for _, s := range tt.steps {
				if s.op == "close" {
					ia.Close(s.at)
				} else {
					ia.Reopen(s.at)
				}
			}
			assert.Equal(t, tt.wantStatus, ia.Status)
			assert.Equal(t, tt.wantClosedAt, ia.ClosedAt)
			assert.Equal(t, tt.wantActivity, ia.LastActivityAt)
			assert.Equal(t, t0, ia.CreatedAt)
		})
	}
}
