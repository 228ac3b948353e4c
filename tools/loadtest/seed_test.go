package main

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/whisper-schools/whisper/adapters/passhash"
	"github.com/whisper-schools/whisper/adapters/store/seal"
	"github.com/whisper-schools/whisper/app"
)

const seedTestPassword = "seeded staff sign in with this"

func TestSeedSQLite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "whisper.db")
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The key file follows whisperd's convention: beside the database.
	checkSeed(t, "sqlite:"+path, "", seal.KeyFilePath(path), raw)
}

func TestSeedPostgres(t *testing.T) {
	pgURL := testPostgres(t)
	ctx := context.Background()
	dbs, err := newDatabases(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer dbs.drop()
	name, err := dbs.create(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", withDatabase(pgURL, name))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	keyFile := filepath.Join(t.TempDir(), "data.key")
	checkSeed(t, withDatabase(pgURL, name), keyFile, keyFile, raw)
}

// testPostgres is the PostgreSQL server tests make databases on; without
// one the test skips, or fails under WHISPER_REQUIRE_POSTGRES=1.
func testPostgres(t *testing.T) string {
	t.Helper()
	pgURL := os.Getenv("WHISPER_TEST_DATABASE_URL")
	if pgURL == "" {
		if os.Getenv("WHISPER_REQUIRE_POSTGRES") == "1" {
			t.Fatal("WHISPER_REQUIRE_POSTGRES=1 but WHISPER_TEST_DATABASE_URL is not set")
		}
		t.Skip("no PostgreSQL: set WHISPER_TEST_DATABASE_URL to measure on one (WHISPER_REQUIRE_POSTGRES=1 makes this a failure)")
	}
	return pgURL
}

// checkSeed seeds three organisations and 2,000 interactions, then reads
// them back through the real app, with the key file the seed used, as
// whisperd and whisperctl would, and checks the raw rows where the app
// shows nothing (erased data).
func checkSeed(t *testing.T, dbURL, keyFlag, keyFile string, raw *sql.DB) {
	ctx := context.Background()
	res, err := seedDataset(ctx, seedConfig{dbURL: dbURL, keyFile: keyFlag, password: seedTestPassword,
		orgs: 3, interactions: 2000, months: 36, seed: 7, workers: 2, analyze: true, now: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Organisations != 3 || res.Interactions != 2000 || res.Staff < 9 {
		t.Fatalf("seeded %+v, want 3 organisations, 2000 interactions and at least 3 staff each", res)
	}
	if share := float64(res.Erased) / float64(res.Interactions); share < 0.2 || share > 0.45 {
		t.Errorf("%d of %d erased, want about 30%%", res.Erased, res.Interactions)
	}
	if avg := float64(res.Messages) / float64(res.Interactions); avg < 2.5 || avg > 3.6 {
		t.Errorf("%.2f messages per interaction, want about 3", avg)
	}
	count := func(query string, args ...any) int {
		t.Helper()
		var n int
		if strings.HasPrefix(dbURL, "postgres") {
			for i := range args {
				query = strings.Replace(query, "?", fmt.Sprintf("$%d", i+1), 1)
			}
		}
		if err := raw.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	if n := count("SELECT count(*) FROM interactions WHERE org_id = ?", string(res.LargestOrg)); n != res.LargestOrgSize || n < 700 {
		t.Errorf("largest organisation holds %d interactions, the seed says %d (want the largest of three, at least 700)", n, res.LargestOrgSize)
	}

	key, err := seal.ReadKeyFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	st, err := openStore(ctx, dbURL, key)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc := app.New(app.Deps{Store: st, Clock: app.SystemClock{}, Random: crand.Reader,
		Hasher: passhash.New(passhash.DefaultParams(), 0), PublicURL: publicURL})

	// The admin signs in with the seed's password, and not with another.
	ip := netip.MustParseAddr("192.0.2.1")
	if _, err := svc.Portal.SignIn(ctx, app.SignIn{Email: res.AdminEmail, Password: "not the seeded password", IP: ip}); err == nil {
		t.Fatal("signed in with a wrong password")
	}
	in, err := svc.Portal.SignIn(ctx, app.SignIn{Email: res.AdminEmail, Password: seedTestPassword, IP: ip})
	if err != nil {
		t.Fatalf("signing in as %s: %v", res.AdminEmail, err)
	}
	// So does a member, who sees only their inboxes.
	member := strings.Replace(res.AdminEmail, "admin@", "staff1@", 1)
	if _, err := svc.Portal.SignIn(ctx, app.SignIn{Email: member, Password: seedTestPassword, IP: ip}); err != nil {
		t.Fatalf("signing in as %s: %v", member, err)
	}
	actor, err := svc.Portal.Authenticate(ctx, string(in.Token))
	if err != nil {
		t.Fatal(err)
	}
	// The staff list shows the organisation's interactions not erased.
	page, err := svc.Portal.ListInteractions(ctx, actor, app.InteractionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	live := count("SELECT count(*) FROM interactions WHERE org_id = ? AND erased_at IS NULL", string(res.LargestOrg))
	if page.Total != live || live == 0 || len(page.Interactions) == 0 {
		t.Errorf("staff list: %d in all (%d on the page), want the %d not erased", page.Total, len(page.Interactions), live)
	}

	// A subject access request by a seeded email address, and one by a
	// seeded phone number, find the reporter's interaction with its texts,
	// unsealed. Reporter i's address and number are numbered as the
	// generator numbers interactions; some were never given or are erased.
	op := app.Operator{Name: "test"}
	foundEmail, foundPhone := false, false
	for i := 0; i < 200 && !(foundEmail && foundPhone); i++ {
		for _, q := range []app.SubjectAccessQuery{
			{Email: fmt.Sprintf("reporter%d@example.org", i), Reason: "test"},
			{Phone: fmt.Sprintf("+447%09d", i), Reason: "test"},
		} {
			out, err := svc.Rights.SubjectAccessRequest(ctx, op, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Interactions) == 0 {
				continue
			}
			ia := out.Interactions[0]
			if ia.Contact.Email != q.Email || ia.Contact.Phone != q.Phone || ia.ErasedAt != nil ||
				len(ia.Messages) == 0 || ia.Messages[0].Body == "" {
				t.Fatalf("subject access by %+v: %+v", q, ia)
			}
			foundEmail = foundEmail || q.Email != ""
			foundPhone = foundPhone || q.Phone != ""
		}
	}
	if !foundEmail || !foundPhone {
		t.Errorf("subject access found a seeded email: %v, a seeded phone: %v; want both", foundEmail, foundPhone)
	}

	// Erased interactions hold no personal data, their messages no text,
	// address or town, and neither outbox rows nor words are left.
	for _, q := range []string{
		`SELECT count(*) FROM interactions WHERE erased_at IS NOT NULL AND (reporter_name_sealed IS NOT NULL OR token_hash IS NOT NULL
			OR email_sealed IS NOT NULL OR email_index IS NOT NULL OR phone_sealed IS NOT NULL OR phone_index IS NOT NULL)`,
		`SELECT count(*) FROM messages m JOIN interactions i ON i.id = m.interaction_id WHERE i.erased_at IS NOT NULL
			AND (m.body_sealed IS NOT NULL OR m.ip_sealed IS NOT NULL OR m.location_sealed IS NOT NULL)`,
		`SELECT count(*) FROM outbox o JOIN interactions i ON i.id = o.interaction_id WHERE i.erased_at IS NOT NULL`,
		`SELECT count(*) FROM interaction_words w JOIN interactions i ON i.id = w.interaction_id WHERE i.erased_at IS NOT NULL`,
	} {
		if n := count(q); n != 0 {
			t.Errorf("%d rows of erased interactions hold what erasure clears: %s", n, q)
		}
	}
	if n := count("SELECT count(*) FROM interactions WHERE erased_at IS NOT NULL"); n != res.Erased {
		t.Errorf("%d erased interactions stored, the seed says %d", n, res.Erased)
	}
	checkReplyColumns(t, dbURL, raw, count)

	// Every live interaction is in the word index search reads.
	if n := count("SELECT count(*) FROM interaction_words"); n != res.Interactions-res.Erased {
		t.Errorf("%d word index rows, want one per live interaction (%d)", n, res.Interactions-res.Erased)
	}

	// The statistics count every interaction, erased ones too.
	now := time.Now().UTC()
	rows, err := svc.Operations.Stats(ctx, nil, now.AddDate(-4, 0, 0), now.AddDate(0, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	total := -1
	for _, r := range rows {
		if r.Total && r.Month == "" && r.Inbox == "" && r.Channel == "" && r.Region == "" {
			total = r.Count
		}
	}
	if total != res.Interactions {
		t.Errorf("statistics count %d interactions in all, want %d", total, res.Interactions)
	}

	// The audit entries the app wrote while seeding form an intact chain.
	check, err := svc.Operations.VerifyAudit(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if check.Broken != nil || check.Checked < res.Organisations*3 {
		t.Errorf("audit chain: %d checked, broken at %+v", check.Checked, check.Broken)
	}
}

// TestSeedBulkKeepsTheIndexes: SQLite seeds with the seeded tables'
// indexes dropped and builds them again afterwards, whether the fill
// succeeds or is cut short; the schema after it is the migrations'.
func TestSeedBulkKeepsTheIndexes(t *testing.T) {
	ctx := context.Background()
	indexes := func(path string) []string {
		t.Helper()
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		rows, err := raw.QueryContext(ctx, "SELECT name || ': ' || coalesce(sql, '') FROM sqlite_master WHERE type = 'index' ORDER BY name")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	dir := t.TempDir()
	migrated := filepath.Join(dir, "migrated.db")
	st, err := openStore(ctx, "sqlite:"+migrated, make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	want := indexes(migrated)
	if len(want) < 15 {
		t.Fatalf("the migrations made %d indexes, want the seeded tables' dozen and more", len(want))
	}

	seeded := filepath.Join(dir, "seeded.db")
	st, err = openStore(ctx, "sqlite:"+seeded, make([]byte, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var during []string
	cut := errors.New("cut short")
	err = st.SeedBulk(ctx, func() error {
		during = indexes(seeded)
		return cut
	})
	if !errors.Is(err, cut) {
		t.Fatalf("SeedBulk returned %v, want the fill's error", err)
	}
	if len(during) >= len(want) {
		t.Errorf("during the fill %d indexes were there, want fewer than the migrations' %d", len(during), len(want))
	}
	if got := indexes(seeded); !slices.Equal(got, want) {
		t.Errorf("after the fill the indexes are\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
