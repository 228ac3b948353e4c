package app

// Delivery holds what the outbox relay needs: NewRelay (delivery_relay.go)
// hands queued emails and texts to the mail and SMS adapters, and
// OutboxHealth (delivery_outbox_health.go) summarises the queue for
// monitoring.
type Delivery struct{ *core }
