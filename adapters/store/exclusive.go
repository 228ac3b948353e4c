package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/whisper-schools/whisper/ports"
)

var _ ports.Leadership = (*Store)(nil)

// DefaultLease is how long a leader's lease lasts unless renewed: how long
// a crashed leader keeps the others out at most. The leader renews it every
// third of that, so it can miss a renewal (a slow or briefly unreachable
// database) and still keep it.
const DefaultLease = time.Minute

// SetLease changes how long this store's leases last (see DefaultLease);
// tests shorten it to see leases run out. Call it before Exclusive.
func (s *Store) SetLease(d time.Duration) { s.lease.Store(int64(d)) }

func (s *Store) leaseLength() time.Duration {
	if d := time.Duration(s.lease.Load()); d > 0 {
		return d
	}
	return DefaultLease
}

// Exclusive runs fn while holding the lease on the named lock, unless
// another holder has it, in any process on the database (see
// ports.Leadership). The lease is a row in the leases table, taken,
// renewed and given up by single statements, so it needs no session of
// its own and works through PgBouncer in transaction mode.
func (s *Store) Exclusive(ctx context.Context, name string, fn func(ctx context.Context) error) (bool, error) {
	if name == "" {
		return false, errors.New("store: a lock needs a name")
	}
	if err := ctx.Err(); err != nil {
		return false, translate(err)
	}
	lease := s.leaseLength()
	holder := leaseHolder()
	asked := time.Now()
	// Taken whether or not ctx ends meanwhile: a take cut short by ctx may
	// still have been done by the database, leaving a lease that nobody
	// knows it holds, which would keep everyone out until it ran out.
	taking, stopTaking := detach(ctx)
	defer stopTaking()
	took, err := s.takeLease(taking, name, holder, lease)
	if err != nil {
		s.giveUpLease(taking, name, holder)
		return false, err
	}
	if !took {
		return false, nil
	}
	run, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	done, kept := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(kept)
		s.keepLease(run, done, name, holder, lease, asked, cancel)
	}()
	err = fn(run)
	close(done)
	<-kept
	lost := errors.Is(context.Cause(run), ports.ErrLeadershipLost)
	// Given up even when the caller's ctx has ended, so the others need
	// not wait for the lease to run out.
	giving, stopGiving := detach(ctx)
	defer stopGiving()
	if gerr := s.giveUpLease(giving, name, holder); gerr != nil && err == nil && !lost {
		err = gerr
	}
	if lost {
		return true, errors.Join(err, ports.ErrLeadershipLost)
	}
	return true, err
}

// detach returns a context that ctx's end does not cut short, for taking
// and giving up leases; it ends after ten seconds, since a lease runs out
// anyway.
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

// keepLease renews the lease every third of its length until done
// closes. When the lease has been taken over, or could not be renewed
// before it ran out, it cancels fn's ctx with ports.ErrLeadershipLost.
// asked is when the last successful take or renewal was sent: the lease
// runs out no sooner than a lease after it, by the database's clock.
func (s *Store) keepLease(ctx context.Context, done <-chan struct{}, name, holder string, lease time.Duration, asked time.Time, cancel context.CancelCauseFunc) {
	tick := time.NewTicker(lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		sent := time.Now()
		kept, err := s.renewLease(ctx, name, holder, lease)
		switch {
		case err == nil && !kept:
			cancel(ports.ErrLeadershipLost)
			return
		case err == nil:
			asked = sent
		case time.Since(asked) >= lease:
			cancel(ports.ErrLeadershipLost)
			return
		}
	}
}

// takeLease claims the lease called name for holder, in one statement:
// it inserts the row, or takes over one whose lease has run out, and
// reports whether it did. Two takers at once cannot both succeed: on
// PostgreSQL the second waits for the first's row and then finds it
// unexpired; SQLite has one writer.
func (s *Store) takeLease(ctx context.Context, name, holder string, lease time.Duration) (bool, error) {
	now, until, arg := s.leaseClock(lease)
	return s.leaseStatement(ctx, fmt.Sprintf(`INSERT INTO leases (name, holder, taken_at, expires_at) VALUES (?, ?, %s, %s)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, taken_at = excluded.taken_at, expires_at = excluded.expires_at
		WHERE leases.expires_at <= %s`, now, until, now), name, holder, arg)
}

// renewLease extends holder's lease by another lease from now, and
// reports false when the row is no longer holder's. A lease that ran out
// but that nobody took is still the holder's to renew: nobody else ran.
func (s *Store) renewLease(ctx context.Context, name, holder string, lease time.Duration) (bool, error) {
	_, until, arg := s.leaseClock(lease)
	return s.leaseStatement(ctx, fmt.Sprintf("UPDATE leases SET expires_at = %s WHERE name = ? AND holder = ?", until), arg, name, holder)
}

// giveUpLease deletes holder's lease, if it still holds it.
func (s *Store) giveUpLease(ctx context.Context, name, holder string) error {
	_, err := s.leaseStatement(ctx, "DELETE FROM leases WHERE name = ? AND holder = ?", name, holder)
	return err
}

// leaseClock returns SQL for the database's time now and a lease from
// now, and the argument the latter takes. The database's clock, not
// ours: instances on machines whose clocks differ still agree on when a
// lease runs out. SQLite keeps the times as text in one fixed format, so
// that they compare in order.
func (s *Store) leaseClock(lease time.Duration) (now, until string, arg any) {
	if s.postgres {
		return "clock_timestamp()", "clock_timestamp() + ? * interval '1 millisecond'", lease.Milliseconds()
	}
	return "strftime('%Y-%m-%d %H:%M:%f', 'now')", "strftime('%Y-%m-%d %H:%M:%f', 'now', ?)",
		fmt.Sprintf("+%.3f seconds", lease.Seconds())
}

// leaseStatement runs one statement on its own (SQLite's writers taking
// turns, as ever) and reports whether it changed a row.
func (s *Store) leaseStatement(ctx context.Context, query string, args ...any) (bool, error) {
	if !s.postgres {
		release, err := s.takeWriter(ctx)
		if err != nil {
			return false, err
		}
		defer release()
	}
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	return n > 0, translate(err)
}

// leaseHolder names one taking of a lease: the host and process, for an
// operator looking at the leases table, and random bytes, so that two
// takings in one process are told apart.
func leaseHolder() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	rand.Read(b)
	return fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(b))
}
