package store

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// When a query is interrupted (its context ends, as every background
// worker's does at shutdown), pgx closes the connection and, beside it,
// opens a second, short connection that asks the server to cancel the
// query. If the process exits while that cancel request is still on its
// way, the request is cut short. PostgreSQL shrugs that off, but PgBouncer
// 1.18 — Debian 12's — crashes on it ("disconnect_client(): bad client
// state", fixed in later releases), taking down every client of the pooler.
// So the store counts the connections it has open, cancel requests'
// included, and Close waits, for a bounded time, until they are all closed.

// closeWait bounds how long Close waits for the connections left open
// after the pools are closed: cancel requests on their way, which take a
// round trip or two. systemd allows whisperd a minute to stop.
const closeWait = 5 * time.Second

// openConns counts the network connections the PostgreSQL driver opened
// and has not yet closed.
type openConns struct{ n atomic.Int64 }

// dial wraps next so that each connection it opens is counted until it is
// closed. pgx dials its cancel requests through the same function.
func (c *openConns) dial(next pgconn.DialFunc) pgconn.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		c.n.Add(1)
		return &countedConn{Conn: conn, closed: func() { c.n.Add(-1) }}, nil
	}
}

// wait returns once every counted connection is closed, or after bound.
func (c *openConns) wait(bound time.Duration) {
	deadline := time.Now().Add(bound)
	for c.n.Load() > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

// countedConn is a connection that tells its counter when it closes, once
// however often it is closed.
type countedConn struct {
	net.Conn
	once   sync.Once
	closed func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.closed)
	return err
}
