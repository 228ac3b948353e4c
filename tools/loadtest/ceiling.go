package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/adapters/sms"
)

// ceilingDB is the ceiling's database: one table, one INSERT a request.
type ceilingDB struct {
	db     *sql.DB
	insert string
	mu     *sync.Mutex // SQLite's single writer; nil on PostgreSQL
}

func newCeilingDB(db *sql.DB, placeholder string) (*ceilingDB, error) {
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS reports (id TEXT PRIMARY KEY, body TEXT NOT NULL, created_at TEXT NOT NULL)"); err != nil {
		return nil, err
	}
	insert := "INSERT INTO reports (id, body, created_at) VALUES (?, ?, ?)"
	c := &ceilingDB{db: db, insert: insert}
	if placeholder == "$1" {
		c.insert = "INSERT INTO reports (id, body, created_at) VALUES ($1, $2, $3)"
	} else {
		c.mu = &sync.Mutex{}
	}
	return c, nil
}

func (c *ceilingDB) store(body string) error {
	if c.mu != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
	}
	id := make([]byte, 12)
	rand.Read(id)
	_, err := c.db.Exec(c.insert, hex.EncodeToString(id), body, time.Now().UTC().Format(time.RFC3339Nano))
	return err
}

// serve runs h on a new listener on 127.0.0.1 and returns its base URL.
func serve(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// ceilingWeb parses the form, stores the message and answers 303.
func ceilingWeb(db *ceilingDB, messageBytes int) (side, func(), error) {
	url, stop, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if err := db.store(r.PostFormValue("message")); err != nil {
			http.Error(w, "store failed", http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/t/done", http.StatusSeeOther)
	}))
	if err != nil {
		return side{}, nil, err
	}
	return side{name: "ceiling", url: url, request: webRequest(url+"/r/BENCH", messageBytes), want: http.StatusSeeOther}, stop, nil
}

// ceilingSMS checks the signature as Whisper does, stores the text and
// answers 200.
func ceilingSMS(db *ceilingDB, messageBytes int) (side, func(), error) {
	var base string
	url, stop, err := serve(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := sms.ReadPlivo(w, r, sms.PlivoCheck{URL: publicURL + sms.PlivoPath, AuthToken: plivoToken})
		if err != nil {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if err := db.store(in.Text); err != nil {
			http.Error(w, "store failed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	if err != nil {
		return side{}, nil, err
	}
	base = url
	return side{name: "ceiling", url: base, request: smsRequest(base+sms.PlivoPath, messageBytes), want: http.StatusOK}, stop, nil
}

// message is a report of the given size.
func message(n int) string {
	const sentence = "Someone in my class keeps taking my things and laughing at me. "
	return strings.Repeat(sentence, n/len(sentence)+1)[:n]
}
