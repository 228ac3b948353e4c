package sms

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

var _ ports.SMSSender = (*File)(nil)

// FileConfig is where the file sender writes.
type FileConfig struct {
	// Dir is the folder the texts go to. It is created, mode 0700, when it
	// does not exist: texts hold reporters' numbers and links.
	Dir string
	// From is the service's number, when one is configured; empty means
	// "Whisper".
	From string
}

// File is the sender for trying Whisper on one machine: it sends nothing,
// and writes each text to a folder as a small text file (to, from, time,
// then the words as they would be sent). Files are named by the time they
// were written, then the delivery, so they sort in order.
type File struct {
	dir, from string
}

// NewFile creates cfg.Dir if need be and returns a sender writing to it.
func NewFile(cfg FileConfig) (*File, error) {
	if cfg.Dir == "" {
		return nil, errors.New("sms: the file driver needs a folder (sms.file.dir)")
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("sms: sms.file.dir: %w", err)
	}
	from := cfg.From
	if from == "" {
		from = "Whisper"
	}
	return &File{dir: cfg.Dir, from: from}, nil
}

// Dir is the folder the sender writes to.
func (f *File) Dir() string { return f.dir }

// Send writes d to the folder.
func (f *File) Send(_ context.Context, d *domain.Delivery) error {
	text, err := Compose(d)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	enc, segments := Segments(text)
	var b strings.Builder
	fmt.Fprintf(&b, "To: %s\nFrom: %s\nTime: %s\nKind: %s\nSegments: %d (%s)\n\n%s\n",
		d.To, f.from, now.Format(time.RFC3339), d.Kind, segments, enc, text)
	name := now.Format(fileTime) + "-" + string(d.ID) + ".txt"
	if err := writeWhole(f.dir, name, []byte(b.String())); err != nil {
		return &domain.Error{Kind: domain.KindUnavailable, Safe: domain.Say("the text folder cannot be written to"), Err: err}
	}
	return nil
}

// fileTime names files by when they were written, fixed width, so that
// their names sort by time; no colons, which some systems refuse.
const fileTime = "20060102T150405.000000000Z"

// writeWhole writes a file of mode 0600 under a temporary name and then
// renames it, so that whoever watches the folder never opens half a file.
func writeWhole(dir, name string, data []byte) error {
	tmp, err := os.CreateTemp(dir, ".writing-*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing to remove
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, name))
}
