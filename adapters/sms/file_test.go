package sms_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/whisper-schools/whisper/adapters/sms"
	"github.com/whisper-schools/whisper/domain"
)

func TestTheFileDriverWritesEachTextPrivately(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo", "sms")
	s, err := sms.NewFile(sms.FileConfig{Dir: dir, From: "+447700900000"})
	require.NoError(t, err)
	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, fs.ModeDir|0o700, info.Mode(), "the folder is the machine owner's alone")

	link := &domain.Delivery{ID: "dlv_aaaaaaaaaaaaaaaaaaaa", Kind: domain.DeliveryReporterLink, Channel: domain.DeliverySMS,
		To: "+447700900123", Link: "http://localhost:8080/t/SECRET", Language: domain.English}
	help := &domain.Delivery{ID: "dlv_bbbbbbbbbbbbbbbbbbbb", Kind: domain.DeliverySMSHelp, Channel: domain.DeliverySMS, To: "+447700900456"}
	require.NoError(t, s.Send(context.Background(), link))
	require.NoError(t, s.Send(context.Background(), help))

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 2)
	var texts []string
	for _, e := range entries {
		info, err := e.Info()
		require.NoError(t, err)
		assert.Equal(t, fs.FileMode(0o600), info.Mode(), e.Name())
		assert.Regexp(t, `^\d{8}T\d{6}\.\d{9}Z-dlv_[a-z]{20}\.txt$`, e.Name(), "named by time, so they sort in order")
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		texts = append(texts, string(b))
	}
	want, err := sms.Compose(link)
	require.NoError(t, err)
	assert.Regexp(t, `^To: \+447700900123\nFrom: \+447700900000\nTime: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\nKind: reporter_link\nSegments: 2 \(GSM-7\)\n\n`, texts[0])
	assert.Contains(t, texts[0], "\n\n"+want+"\n", "the words as they would be sent, the link included")
	assert.Contains(t, texts[1], "To: +447700900456\n")
}

func TestTheFileDriverNeedsAFolder(t *testing.T) {
	_, err := sms.NewFile(sms.FileConfig{})
	assert.Error(t, err)
	s, err := sms.NewFile(sms.FileConfig{Dir: t.TempDir()})
	require.NoError(t, err)
	assert.Error(t, s.Send(context.Background(), &domain.Delivery{ID: "dlv_1", Kind: domain.DeliveryStaffInvite, Channel: domain.DeliveryEmail}),
		"an email is not a text")
}
