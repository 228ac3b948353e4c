package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFileDriversWriteBesideTheEmbeddedDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo", "whisper.db")
	c, err := Load(Options{Getenv: env(map[string]string{
		"WHISPER_DATABASE_URL": "sqlite:" + db + "?_busy=1", "WHISPER_MAIL_DRIVER": "file", "WHISPER_SMS_DRIVER": "FILE",
	})})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(filepath.Dir(db), "mail"), c.Mail.File.Dir)
	assert.Equal(t, filepath.Join(filepath.Dir(db), "sms"), c.SMS.File.Dir)
	assert.Equal(t, "file", c.SMS.Driver)
}

func TestFileDriversKeepTheFoldersGiven(t *testing.T) {
	c, err := Load(Options{Getenv: env(map[string]string{
		"WHISPER_MAIL_DRIVER": "file", "WHISPER_MAIL_FILE_DIR": " /tmp/outgoing/mail ",
		"WHISPER_SMS_DRIVER": "file", "WHISPER_SMS_FILE_DIR": "texts",
	})})
	require.NoError(t, err)
	assert.Equal(t, "/tmp/outgoing/mail", c.Mail.File.Dir)
	assert.Equal(t, "texts", c.SMS.File.Dir)
}

func TestOtherDriversLeaveTheFoldersAlone(t *testing.T) {
	c, err := Load(Options{Getenv: env(nil)})
	require.NoError(t, err)
	assert.Empty(t, c.Mail.File.Dir)
	assert.Empty(t, c.SMS.File.Dir)
}

func TestFileDriversOnPostgresNeedTheirFolders(t *testing.T) {
	_, err := Load(Options{Getenv: env(map[string]string{
		"WHISPER_DATABASE_URL": "postgres://db.example/whisper", "WHISPER_SECURITY_DATA_KEY": testKey,
		"WHISPER_MAIL_DRIVER": "file", "WHISPER_SMS_DRIVER": "file",
	})})
	var cerr *Error
	require.ErrorAs(t, err, &cerr)
	assert.ElementsMatch(t, []string{
		"mail.file.dir is required when its driver is file and the database is PostgreSQL: the folder to write to",
		"sms.file.dir is required when its driver is file and the database is PostgreSQL: the folder to write to",
	}, cerr.Problems)
}

func TestAFileDriversFolderMustNotBeAFile(t *testing.T) {
	path := writeFile(t, "mail", "not a folder")
	_, err := Load(Options{Getenv: env(map[string]string{"WHISPER_MAIL_DRIVER": "file", "WHISPER_MAIL_FILE_DIR": path})})
	require.Error(t, err)
	assert.Equal(t, `config: mail.file.dir "`+path+`" is a file, not a folder`, err.Error())
}

func TestDefaultsGiveWayToWhatIsConfigured(t *testing.T) {
	c, err := Load(Options{Getenv: env(nil), Defaults: DemoDefaults()})
	require.NoError(t, err)
	assert.Equal(t, "file", c.Mail.Driver)
	assert.Equal(t, "file", c.SMS.Driver)
	assert.Equal(t, "mail", c.Mail.File.Dir, "beside whisper.db, in the working directory")

	file := writeFile(t, "whisper.yaml", "mail:\n  driver: log\n")
	c, err = Load(Options{File: file, Getenv: env(map[string]string{"WHISPER_SMS_DRIVER": "log"}), Defaults: DemoDefaults()})
	require.NoError(t, err)
	assert.Equal(t, "log", c.Mail.Driver, "the file wins over a run's defaults")
	assert.Equal(t, "log", c.SMS.Driver, "the environment too")

	_, err = Load(Options{Getenv: env(nil), Defaults: map[string]any{"mail.drivr": "file"}})
	assert.EqualError(t, err, `config: unknown default key "mail.drivr"`)
}

func TestFileDriversFoldersAreNotCreatedByLoading(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	_, err := Load(Options{Getenv: env(map[string]string{"WHISPER_MAIL_DRIVER": "file", "WHISPER_MAIL_FILE_DIR": dir})})
	require.NoError(t, err)
	_, err = os.Stat(dir)
	assert.ErrorIs(t, err, os.ErrNotExist, "the driver makes it, with its mode")
}
