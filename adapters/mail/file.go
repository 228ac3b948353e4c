package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var _ ports.Mailer = (*File)(nil)

// FileConfig is where the file mailer writes.
type FileConfig struct {
	// Dir is the folder the emails go to. It is created, mode 0700, when
	// it does not exist: emails hold reporters' links and staff's
	// invitations, for the machine's owner only.
	Dir string
	// From is the sender address; empty means whisper@ the public URL's
	// host.
	From string
	// PublicURL names this service in Message-IDs, as SMTP's does.
	PublicURL string
}

// File is the mailer for trying Whisper on one machine: it sends nothing,
// and writes each email, whole and exactly as SMTP would send it, to a
// folder as an .eml file that any mail program opens. Files are named by
// the time they were written, then the delivery, so they sort in order.
type File struct {
	dir, from, domain string
}

// NewFile creates cfg.Dir if need be and returns a mailer writing to it.
func NewFile(cfg FileConfig) (*File, error) {
	if cfg.Dir == "" {
		return nil, errors.New("mail: the file driver needs a folder (mail.file.dir)")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("mail: mail.file.dir: %w", err)
	}
	f := &File{dir: cfg.Dir, from: cfg.From, domain: "whisper.invalid"}
	if u, err := url.Parse(cfg.PublicURL); err == nil && u.Hostname() != "" {
		f.domain = u.Hostname()
	}
	if f.from == "" {
		f.from = "whisper@" + f.domain
	}
	return f, nil
}

// Dir is the folder the mailer writes to.
func (f *File) Dir() string { return f.dir }

// Send writes d to the folder.
func (f *File) Send(_ context.Context, d *domain.Delivery) error {
	msg, err := NewMessage(d, f.from, f.domain)
	if err != nil {
		return err
	}
	name := time.Now().UTC().Format(fileTime) + "-" + string(d.ID) + ".eml"
	return writeWhole(f.dir, name, func(w io.Writer) error {
		_, err := msg.WriteTo(w)
		return err
	})
}

// fileTime names files by when they were written, fixed width, so that
// their names sort by time; no colons, which some systems refuse.
const fileTime = "20060102T150405.000000000Z"

// writeWhole writes a file of mode 0600 under a temporary name and then
// renames it, so that whoever watches the folder never opens half a file.
func writeWhole(dir, name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(dir, ".writing-*") // mode 0600
	if err != nil {
		return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the mail folder cannot be written to"), Err: err}
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	err = write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the mail folder cannot be written to"), Err: err}
	}
	return nil
}
