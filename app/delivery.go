package app

// Delivery holds what the outbox relay needs: NewRelay (delivery_relay.go)
// hands queued emails and texts to the mail and SMS adapters, and
// OutboxHealth (delivery_outbox_health.go) summarises the queue for
// monitoring. ReceiveText (delivery_receive_text.go) stands in for the
// carrier, for trying texts out.
type Delivery struct{ *core }
