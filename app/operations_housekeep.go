package app

import (
	"context"
	"time"

	"github.com/whisper-schools/whisper/domain"
	"github.com/whisper-schools/whisper/ports"
)

// How long the service remembers what it needs only for a while. Each of
// these holds a blind index of an address or number, or a secret's hash:
// data minimisation says keep it no longer than its purpose.
//
// Webhook nonces and carrier message ids are not among them: they are
// kept for good, each as a 16-byte keyed hash that identifies no one, so
// that a webhook replayed or a text delivered again is refused however
// late it comes.
const (
	// A number gets at most one help text a day; a week is ample.
	keepHelpRecords = 7 * 24 * time.Hour
	// Sign-in failures slow guessing for a day at most.
	keepSignInFailures = 24 * time.Hour
	// A failed delivery keeps its recipient and content (sealed) so that
	// the operator can send it again once the cause is mended (see
	// `whisperctl outbox retry`); two weeks is time enough to notice.
	keepFailedDeliveries = 14 * 24 * time.Hour
)

// Tidied counts what housekeeping removed.
type Tidied struct {
	Sessions, SignInFailures, HelpRecords, PasswordLinks int
	// LimitKeys are rate-limit counts with nothing in the last hour.
	LimitKeys int
	// SSOStates are sign-ins that went to a provider and never came back.
	SSOStates int
	// TrialReminders are the organisations reminded that their trial ends
	// soon (see remindTrials).
	TrialReminders int
	// FailedDeliveries are deliveries given up on long enough ago that
	// their recipient and content were forgotten.
	FailedDeliveries int
}

// Housekeep removes what the service no longer needs: ended sessions,
// old sign-in failures, old help-text records, expired set-password
// links, what failed deliveries held, and rate-limit counts of keys quiet for an hour; and it reminds
// the admins of organisations whose trial ends soon. The retention sweep
// runs it.
func (s *Operations) Housekeep(ctx context.Context) (out Tidied, err error) {
	defer domain.Wrap(&err, "app.Operations.Housekeep")
	now := s.now()
	err = s.store.InTx(ctx, func(tx ports.Tx) (err error) {
		if out.Sessions, err = tx.Sessions().DeleteIdleSince(ctx, now.Add(-domain.SessionIdle)); err != nil {
			return err
		}
		if out.SignInFailures, err = tx.SignInFailures().ForgetBefore(ctx, now.Add(-keepSignInFailures)); err != nil {
			return err
		}
		if out.HelpRecords, err = tx.Texts().ForgetHelpBefore(ctx, now.Add(-keepHelpRecords)); err != nil {
			return err
		}
		if out.SSOStates, err = tx.SSOStates().DeleteExpired(ctx, now); err != nil {
			return err
		}
		if out.FailedDeliveries, err = tx.Outbox().ForgetFailedBefore(ctx, now.Add(-keepFailedDeliveries)); err != nil {
			return err
		}
		out.PasswordLinks, err = tx.Staff().ForgetPasswordLinksBefore(ctx, now)
		return err
	})
	if err != nil {
		return out, err
	}
	if out.TrialReminders, err = s.remindTrials(ctx, now); err != nil {
		return out, err
	}
	// Rate-limit counts are kept outside transactions (see ports.Limiter).
	out.LimitKeys, err = s.store.Limiter().ForgetBefore(ctx, now.Add(-ports.LimitWindow))
	return out, err
}
