package app

import "context"

// Ready reports whether the service can serve: its database answers.
func (s *Operations) Ready(ctx context.Context) error { return s.store.Ping(ctx) }
