package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The file drivers write each mail and text to a folder instead of sending
// it, so that Whisper can be tried on one machine: a newcomer opens an
// invitation or follows a reporter's link from the folder.
const (
	// FileDriver is the value of mail.driver and sms.driver that writes to
	// a folder.
	FileDriver = "file"
	// MailDirName and SMSDirName are the folders the file drivers write to
	// beside the embedded database when mail.file.dir and sms.file.dir are
	// not set.
	MailDirName = "mail"
	SMSDirName  = "sms"
)

// DemoDefaults are the defaults whisperd --demo gives Load (as
// Options.Defaults) on the embedded store: mail and texts go to folders
// unless the configuration chooses a driver.
func DemoDefaults() map[string]any {
	return map[string]any{"mail.driver": FileDriver, "sms.driver": FileDriver}
}

// defaultFileDirs fills in mail.file.dir and sms.file.dir for the file
// drivers on the embedded store: mail/ and sms/ beside the database. With
// PostgreSQL there is no file to be beside, so they stay empty and
// Validate asks for them.
func (c *Config) defaultFileDirs() {
	c.Mail.File.Dir = strings.TrimSpace(c.Mail.File.Dir)
	c.SMS.File.Dir = strings.TrimSpace(c.SMS.File.Dir)
	if c.Mail.Driver == FileDriver && c.Mail.File.Dir == "" {
		c.Mail.File.Dir = c.besideDatabase(MailDirName)
	}
	if c.SMS.Driver == FileDriver && c.SMS.File.Dir == "" {
		c.SMS.File.Dir = c.besideDatabase(SMSDirName)
	}
}

// besideDatabase returns the path of name in the embedded database's
// folder, or "" when the store is not the embedded one.
func (c *Config) besideDatabase(name string) string {
	path := c.SQLitePath()
	path, _, _ = strings.Cut(path, "?") // options are no part of the file's name
	if strings.TrimSpace(path) == "" {
		return ""
	}
	return filepath.Join(filepath.Dir(path), name)
}

// validateFileDir checks the folder of a file driver: set (on PostgreSQL
// nothing else sets it), and not a file. The driver creates it.
func validateFileDir(v *validator, key, dir string) {
	if dir == "" {
		v.addf("%s is required when its driver is file and the database is PostgreSQL: the folder to write to", key)
		return
	}
	info, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		v.addf("%s %q cannot be used: %v", key, dir, err)
	case !info.IsDir():
		v.addf("%s %q is a file, not a folder", key, dir)
	}
}
