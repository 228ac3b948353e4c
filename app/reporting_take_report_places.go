package app

import (
	"context"
	"net/netip"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// TakeReportPlaces reserves places for a new web report from ip to the
// form with code: one in the address's limit and one in the form's, in
// one step. When either is full it holds nothing and returns ErrTooMany.
// The caller releases the places if no report is stored.
func (s *Reporting) TakeReportPlaces(ctx context.Context, ip netip.Addr, code string) (_ *Places, err error) {
	defer domain.Wrap(&err, "app.Reporting.TakeReportPlaces")
	now, p := s.now(), s.places()
	var asks []ports.LimitAsk
	if ip.IsValid() && s.limits.ReportsPerIP > 0 {
		asks = append(asks, ports.LimitAsk{Key: "ip:" + clientAddress(ip, s.limits.IPv6Prefix), Limit: s.limits.ReportsPerIP})
	}
	// A code that is no form's takes no place: the report fails anyway.
	if fc, err := domain.ParseFormCode(code); err == nil && s.limits.ReportsPerForm > 0 {
		asks = append(asks, ports.LimitAsk{Key: "form:" + string(fc), Limit: s.limits.ReportsPerForm})
	}
	ok, err := p.limiter.TakeAll(ctx, now, asks...)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrTooMany
	}
	for _, a := range asks {
		p.taken = append(p.taken, place{a.Key, now})
	}
	return p, nil
}
