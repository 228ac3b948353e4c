package app

import (
	"context"
	"strconv"
	"sync"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// ReceivedText is what became of a text an operator handed in as if a
// carrier had delivered it.
type ReceivedText struct {
	Outcome TextOutcome
	// Ref is the interaction the text opened, continued or asked a fresh
	// link to; empty for any other outcome.
	Ref domain.Reference
	// Replies are the texts the service queued back to the number, in the
	// order queued: the conversation link, the help text, a refusal. The
	// relay sends them as it sends any other.
	Replies []*domain.Delivery
}

// ReceiveText stands in for the carrier: an operator hands in a text from
// the number in.From as the carrier's webhook does, through
// Reporting.ReceiveText itself, so that texting can be tried without one: a text that starts with a form's code opens
// a report, a later one continues it, and the replies are queued as ever.
// It returns what happened and the texts queued back, which the operator
// would otherwise not see. The operator acts as the texter, so the act is
// audited, once the text is handled, with its outcome and the reference
// (never the number or the words). The operator's texts are not counted
// in the rate limits, which whisperctl does not apply.
func (s *Delivery) ReceiveText(ctx context.Context, op Operator, in InboundText) (out ReceivedText, err error) {
	defer domain.Wrap(&err, "app.Delivery.ReceiveText")
	phone, err := s.parsePhone(in.From)
	if err != nil {
		return out, err
	}
	queued := &queueRecorder{Store: s.store}
	out.Outcome, err = (&Reporting{s.over(queued)}).ReceiveText(ctx, in)
	if err != nil {
		return out, err
	}
	for _, d := range queued.deliveries() {
		if d.Channel == domain.DeliverySMS && d.To == phone {
			out.Replies = append(out.Replies, d)
		}
	}
	e := &domain.AuditEntry{Actor: op.Actor(), Action: domain.AuditSMSReceive,
		Details: map[string]string{"outcome": string(out.Outcome), "replies": strconv.Itoa(len(out.Replies))}}
	err = s.audited(ctx, e, func(tx ports.Tx) error {
		switch out.Outcome {
		case TextOpened, TextContinued, TextLinked:
		default:
			return nil
		}
		ia, err := tx.Interactions().LatestByPhone(ctx, phone)
		if domain.KindOf(err) == domain.KindNotFound {
			return nil // erased since: there is nothing to name
		}
		if err != nil {
			return err
		}
		out.Ref, e.Ref, e.OrgID = ia.Ref, ia.Ref, ia.OrgID
		return nil
	})
	return out, err
}

// over returns a core like s over another store: the same clock, settings
// and adapters, and an intake cache of its own.
func (s *core) over(st ports.Store) *core {
	return &core{
		store: st, clock: s.clock, random: s.random, hasher: s.hasher, locator: s.locator, swearing: s.swearing,
		meter: s.meter, links: s.links, intake: intakeCache{keep: s.intake.keep}, deviceKey: s.deviceKey,
		sso: s.sso, ssoKey: s.ssoKey, limits: s.limits, region: s.region, zone: s.zone,
	}
}

// queueRecorder is a store that notes the deliveries that committed
// transactions queued, so that a use case's caller can say what it sent
// without the use case saying so itself.
type queueRecorder struct {
	ports.Store
	mu     sync.Mutex
	queued []*domain.Delivery
}

func (r *queueRecorder) deliveries() []*domain.Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queued
}

func (r *queueRecorder) add(ds []*domain.Delivery) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queued = append(r.queued, ds...)
}

// InTx keeps what the last run of fn queued, once the transaction commits:
// a retried run starts again from nothing.
func (r *queueRecorder) InTx(ctx context.Context, fn func(tx ports.Tx) error) error {
	var run []*domain.Delivery
	err := r.Store.InTx(ctx, func(tx ports.Tx) error {
		run = nil
		return fn(recordingTx{Tx: tx, queued: &run})
	})
	if err == nil {
		r.add(run)
	}
	return err
}

// AcceptInteraction keeps the new report's deliveries once it commits.
func (r *queueRecorder) AcceptInteraction(ctx context.Context, nr ports.NewInteraction) error {
	err := r.Store.AcceptInteraction(ctx, nr)
	if err == nil {
		r.add(nr.Deliveries)
	}
	return err
}

type recordingTx struct {
	ports.Tx
	queued *[]*domain.Delivery
}

func (t recordingTx) Outbox() ports.OutboxRepo {
	return recordingOutbox{OutboxRepo: t.Tx.Outbox(), queued: t.queued}
}

type recordingOutbox struct {
	ports.OutboxRepo
	queued *[]*domain.Delivery
}

func (o recordingOutbox) Enqueue(ctx context.Context, ds ...*domain.Delivery) error {
	err := o.OutboxRepo.Enqueue(ctx, ds...)
	if err == nil {
		*o.queued = append(*o.queued, ds...)
	}
	return err
}
