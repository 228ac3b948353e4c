package app

import (
	"context"
	"sync"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// FormCacheFor is how long whisperd lets a report form, once read, serve
// further reports. A change made through the same Service is seen at once
// (see changeReportForms); one made by another instance or by whisperctl
// within this time: a form closed a moment ago may take one more report.
const FormCacheFor = time.Second

// formCache keeps report forms — a form, its organisation and inboxes,
// nothing personal — for a moment: when a whole year group reports the
// same incident, every report reads the same form, and on a busy store
// those reads were a third of a report's statements.
type formCache struct {
	keep time.Duration // zero: no caching
	mu   sync.Mutex
	// forgets counts forget calls, so that a form read before a change
	// is not kept after it.
	forgets uint64
	forms   map[domain.FormCode]cachedForm
}

type cachedForm struct {
	rf   ReportForm
	read time.Time // on the monotonic clock, not the service's
}

// load returns the form with that code, from the cache while it is fresh.
// The ReportForm it returns is shared: read it, never change it.
func (c *formCache) load(ctx context.Context, tx ports.Tx, code string) (ReportForm, error) {
	if c.keep == 0 {
		return loadReportForm(ctx, tx, code)
	}
	fc, err := domain.ParseFormCode(code)
	if err != nil {
		return ReportForm{}, errNoSuchForm
	}
	started := time.Now()
	c.mu.Lock()
	cached, ok := c.forms[fc]
	forgets := c.forgets
	c.mu.Unlock()
	if ok && time.Since(cached.read) < c.keep {
		return cached.rf, nil
	}
	rf, err := loadReportForm(ctx, tx, code)
	if err != nil {
		return rf, err
	}
	c.mu.Lock()
	if c.forgets == forgets {
		if c.forms == nil {
			c.forms = map[domain.FormCode]cachedForm{}
		}
		c.forms[fc] = cachedForm{rf: rf, read: started}
	}
	c.mu.Unlock()
	return rf, nil
}

// forget empties the cache.
func (c *formCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.forgets++
	clear(c.forms)
}

// changeReportForms runs fn, which changes forms, inboxes or
// organisations, in a transaction, and then forgets the cached forms.
func (s *Service) changeReportForms(ctx context.Context, fn func(tx ports.Tx) error) error {
	defer s.forms.forget()
	return s.store.InTx(ctx, fn)
}
