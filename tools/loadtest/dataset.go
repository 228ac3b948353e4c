package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/whisper-schools/whisper/adapters/store/seal"
)

// A national measurement (issue #23) runs on a database that `loadtest
// seed` filled, never on the seeded database itself: each takes a copy,
// so a measurement that changes data (a purge, a rotation, a migration)
// leaves the next one the same starting point, and the seed (ten minutes
// or more) is made once.

// datasetFlags are the flags every national measurement takes.
type datasetFlags struct {
	dbURL, keyFile, password, seeded *string
}

func addDatasetFlags(fs *flag.FlagSet) datasetFlags {
	return datasetFlags{
		dbURL:    fs.String("database-url", "", "the seeded database (loadtest seed): postgres://… or sqlite:PATH; it is copied, never changed"),
		keyFile:  fs.String("data-key-file", "", "its data key file; default PATH.key for sqlite:PATH, as whisperd's"),
		password: fs.String("staff-password", "", "the seed's -staff-password"),
		seeded:   fs.String("seeded", "", "the JSON the seed printed (largest organisation, its admin's email)"),
	}
}

// dataset is a seeded database, as the flags name it.
type dataset struct {
	dbURL, keyFile, password string
	seedResult
}

func (f datasetFlags) load() (*dataset, error) {
	if *f.dbURL == "" || *f.password == "" || *f.seeded == "" {
		return nil, errors.New("give -database-url, -staff-password and -seeded (the seed's JSON)")
	}
	d := &dataset{dbURL: *f.dbURL, keyFile: *f.keyFile, password: *f.password}
	if d.keyFile == "" {
		path, ok := strings.CutPrefix(d.dbURL, "sqlite:")
		if !ok {
			return nil, errors.New("PostgreSQL needs -data-key-file")
		}
		d.keyFile = seal.KeyFilePath(path)
	}
	raw, err := os.ReadFile(*f.seeded)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &d.seedResult); err != nil {
		return nil, fmt.Errorf("reading %s: %w", *f.seeded, err)
	}
	if d.LargestOrg == "" || d.AdminEmail == "" {
		return nil, fmt.Errorf("%s names no largest organisation: is it the seed's output?", *f.seeded)
	}
	return d, nil
}

// postgres says whether the dataset is on PostgreSQL.
func (d *dataset) postgres() bool { return !strings.HasPrefix(d.dbURL, "sqlite:") }

// key reads the dataset's data key.
func (d *dataset) key() ([]byte, error) {
	key, _, err := seal.LoadOrCreateKeyFile(d.keyFile)
	return key, err
}

// datasetCopy is a copy of a seeded database, with its key file beside it
// for SQLite (whisperd's convention) and the seed's for PostgreSQL.
type datasetCopy struct {
	dbURL, keyFile string
	remove         func()
}

// copy makes a new copy of the dataset: on PostgreSQL a database made
// from it as a template (no one may be connected to it meanwhile), on
// SQLite the file (and its log, if any) in a new temporary directory.
func (d *dataset) copy(ctx context.Context) (*datasetCopy, error) {
	if d.postgres() {
		return d.copyPostgres(ctx)
	}
	return d.copySQLite()
}

func (d *dataset) copyPostgres(ctx context.Context) (*datasetCopy, error) {
	u, err := url.Parse(d.dbURL)
	if err != nil {
		return nil, errors.New("the database URL does not parse")
	}
	template := strings.TrimPrefix(u.Path, "/")
	dbs, err := newDatabases(ctx, withDatabase(d.dbURL, "postgres"))
	if err != nil {
		return nil, err
	}
	suffix := make([]byte, 4)
	rand.Read(suffix)
	dbs.prefix = "loadtest_national_" + hex.EncodeToString(suffix)
	name, err := dbs.create(ctx, template)
	if err != nil {
		dbs.drop()
		return nil, err
	}
	return &datasetCopy{dbURL: withDatabase(d.dbURL, name), keyFile: d.keyFile, remove: dbs.drop}, nil
}

func (d *dataset) copySQLite() (*datasetCopy, error) {
	path := strings.TrimPrefix(d.dbURL, "sqlite:")
	dir, err := os.MkdirTemp(filepath.Dir(path), "loadtest-national-")
	if err != nil {
		return nil, err
	}
	to := filepath.Join(dir, "whisper.db")
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(path+suffix, to+suffix); err != nil && !(suffix != "" && errors.Is(err, os.ErrNotExist)) {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := copyFile(d.keyFile, seal.KeyFilePath(to)); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &datasetCopy{dbURL: "sqlite:" + to, keyFile: seal.KeyFilePath(to), remove: func() { os.RemoveAll(dir) }}, nil
}

// copyFile copies from to a new file to, readable by its owner alone.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
