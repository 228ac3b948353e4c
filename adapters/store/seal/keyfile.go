package seal

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// KeyFilePath returns where the embedded store keeps its key: beside the
// database file, e.g. whisper.db.key for whisper.db, so a small install
// needs no extra configuration. Backups should copy the database without
// the key, or the encryption protects nothing.
func KeyFilePath(dbPath string) string { return dbPath + ".key" }

// How long a reader waits for a key file that another process has created
// but not yet finished writing.
const (
	keyFileWait = 2 * time.Second
	keyFilePoll = 10 * time.Millisecond
)

// LoadOrCreateKeyFile reads the base64 master key at path, or, when there is
// no file yet, generates a random key and writes it there with mode 0600.
// created reports whether this call wrote the file.
//
// It refuses a file that group or others may access: a readable key beside
// the database would defeat the point of sealing. Concurrent callers, in one
// process or several, all end up with the same key, because the file is
// created with O_EXCL and the losers read the winner's file.
func LoadOrCreateKeyFile(path string) (key []byte, created bool, err error) {
	key, err = readKeyFile(path)
	if err == nil {
		return key, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	key, err = createKeyFile(path)
	if errors.Is(err, fs.ErrExist) {
		// Someone else created it between our read and our create.
		key, err = readKeyFile(path)
		return key, false, err
	}
	if err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// ReadKeyFile reads the base64 master key at path, refusing a file that
// group or others may access, as LoadOrCreateKeyFile does; it never
// creates one. `whisperctl key rotate --new-key-file` reads the new key so.
func ReadKeyFile(path string) ([]byte, error) { return readKeyFile(path) }

// readKeyFile reads and parses the key file. A file being written by a
// concurrent creator may be briefly empty or partial; since the creator
// writes the key and its trailing newline in one call, content without the
// newline that does not parse is retried for a short while.
func readKeyFile(path string) ([]byte, error) {
	deadline := time.Now().Add(keyFileWait)
	for {
		text, err := readPrivateFile(path)
		if err != nil {
			return nil, err
		}
		key, err := ParseKey(string(text))
		if err == nil {
			return key, nil
		}
		complete := len(text) > 0 && text[len(text)-1] == '\n'
		if complete || time.Now().After(deadline) {
			return nil, fmt.Errorf("seal: key file %s: %w", path, err)
		}
		time.Sleep(keyFilePoll)
	}
}

func readPrivateFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		// fs.ErrNotExist stays visible through the wrap for the caller.
		return nil, fmt.Errorf("seal: opening key file: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so the mode checked is the mode of
	// the file read.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("seal: key file %s is not a regular file", path)
	}
	// Windows reports synthetic permission bits that chmod cannot fix.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("seal: key file %s has mode %04o, which lets other users read it; run: chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	// A key file is a line of base64; a limit keeps a wrong path (say, the
	// database itself) from being read whole.
	text, err := io.ReadAll(io.LimitReader(f, 1024))
	if err != nil {
		return nil, fmt.Errorf("seal: reading key file %s: %w", path, err)
	}
	return text, nil
}

func createKeyFile(path string) (key []byte, err error) {
	key = make([]byte, KeySize)
	_, _ = rand.Read(key) // never fails since Go 1.24
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		// fs.ErrExist stays visible through the wrap for the caller.
		return nil, fmt.Errorf("seal: creating key file: %w", err)
	}
	defer func() {
		if err != nil {
			// Leave no empty or partial key behind to block the next start;
			// nothing can have been sealed under it yet.
			_ = f.Close()
			_ = os.Remove(path)
		}
	}()
	// One write, newline included, so readKeyFile can tell a finished file.
	if _, err := f.Write([]byte(base64.StdEncoding.EncodeToString(key) + "\n")); err != nil {
		return nil, fmt.Errorf("seal: writing key file %s: %w", path, err)
	}
	// Losing the key after a crash would lose every report sealed under it,
	// so the file must be on disk before anything is sealed.
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("seal: syncing key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("seal: closing key file %s: %w", path, err)
	}
	syncDir(filepath.Dir(path))
	return key, nil
}

// syncDir makes the new directory entry durable too. It is best effort:
// some platforms (Windows) cannot open or sync a directory, and the file's
// own data is already synced.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
