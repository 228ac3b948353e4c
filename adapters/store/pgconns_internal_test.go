package store

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCloseWaitsForConnectionsStillOpen holds openConns to what Close needs
// of it: wait returns only once every connection dialled through it is
// closed (a cancel request on its way, say), and never later than its
// bound.
func TestCloseWaitsForConnectionsStillOpen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	var conns openConns
	dial := conns.dial((&net.Dialer{}).DialContext)
	c, err := dial(context.Background(), "tcp", ln.Addr().String())
	require.NoError(t, err)

	waited := make(chan struct{})
	go func() {
		conns.wait(time.Minute)
		close(waited)
	}()
	// Give a wrong wait every chance to return early.
	time.Sleep(100 * time.Millisecond)
	select {
	case <-waited:
		t.Fatal("wait returned while a connection was open")
	default:
	}
	require.NoError(t, c.Close())
	<-waited
	assert.Error(t, c.Close(), "closing twice fails, as net.Conn's does")
	assert.Zero(t, conns.n.Load(), "a connection closed twice is counted off once")

	// A connection that is never closed holds wait no longer than its bound.
	open, err := dial(context.Background(), "tcp", ln.Addr().String())
	require.NoError(t, err)
	defer open.Close()
	conns.wait(10 * time.Millisecond)
	assert.EqualValues(t, 1, conns.n.Load())

	_, err = dial(context.Background(), "tcp", "127.0.0.1:1")
	require.Error(t, err)
	assert.EqualValues(t, 1, conns.n.Load(), "a failed dial counts nothing")
}
