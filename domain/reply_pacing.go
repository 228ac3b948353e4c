package domain

import "time"

// A reporter's replies are paced, so that a child who writes many times,
// or someone who floods a link they found, neither buries the school in
// email nor fills the conversation. Two rules:
//
//   - a reporter sends at most a set number of replies to one interaction
//     in any hour (ReplyLimitWindow); more are refused, kept by nobody, and
//     the reporter is told when they can write again;
//   - each alert recipient hears of replies at most once per interaction
//     per ReplyAlertWindow: the first reply is announced at once; the
//     replies that follow within the window are announced together, by one
//     trailing alert due when the window ends, which says how many there
//     were. A reply is never left unannounced.

// ReplyLimitWindow is the period over which a reporter's replies to one
// interaction are counted.
const ReplyLimitWindow = time.Hour

// ReplyAlertWindow is how long an alert to one recipient about one
// interaction holds back the next.
const ReplyAlertWindow = 15 * time.Minute

// RepliesLimited is the refusal of a reply over the hourly limit. Until is
// when the reporter may write again: when the oldest reply that counts
// against the limit is an hour old.
type RepliesLimited struct {
	Limit int
	Until time.Time
}

func (e *RepliesLimited) Error() string { return "the conversation's hourly reply limit is reached" }

// CheckReplyLimit decides whether a reporter may send another reply to an
// interaction at now, under limit replies an hour (0: no limit). sent are
// the times of the reporter's messages to it within the last
// ReplyLimitWindow, oldest first; the report that opened the interaction
// at opened is not a reply and does not count. Over the limit it returns a
// *RepliesLimited wrapped in an Error of KindUnavailable: the reporter may
// try again later.
func CheckReplyLimit(limit int, sent []time.Time, opened, now time.Time) error {
	if limit <= 0 {
		return nil
	}
	replies := sent
	if len(replies) > 0 && replies[0].Equal(opened) {
		// The earliest is the report itself, once, even if replies came
		// within the same microsecond.
		replies = replies[1:]
	}
	if len(replies) < limit {
		return nil
	}
	// Writing again is possible once all but limit-1 of them are over an
	// hour old.
	until := replies[len(replies)-limit].Add(ReplyLimitWindow)
	return &Error{Kind: KindUnavailable, Safe: Say("You have sent a lot of messages in the last hour."),
		Err: &RepliesLimited{Limit: limit, Until: until}}
}

// ReplyAlertState is where one recipient's "new reply" alerts about one
// interaction stand. The zero state is a recipient never alerted.
type ReplyAlertState struct {
	// WindowEndsAt is the end of the window that the last alert sent (or
	// due) opened: until then, a reply waits for the trailing alert.
	WindowEndsAt time.Time
	// PendingID is the trailing alert, due at WindowEndsAt and not yet
	// taken by the relay; empty when none. PendingCount is how many
	// replies it announces.
	PendingID    DeliveryID
	PendingCount int
}

// PendingWent is the state once its trailing alert has gone (or the relay
// has taken it to send): it went when the window ended, and so opened the
// next window.
func (st ReplyAlertState) PendingWent() ReplyAlertState {
	return ReplyAlertState{WindowEndsAt: st.WindowEndsAt.Add(ReplyAlertWindow)}
}

// NextAlert decides when the alert to the recipient about a reply at now
// is due, for a state with no trailing alert waiting (a waiting one counts
// the reply instead), and returns the state that follows. Outside a window
// the alert is due at once and opens a window; inside one it becomes the
// trailing alert, id, due when the window ends.
func (st ReplyAlertState) NextAlert(now time.Time, id DeliveryID) (due time.Time, next ReplyAlertState) {
	if !now.Before(st.WindowEndsAt) {
		return now, ReplyAlertState{WindowEndsAt: now.Add(ReplyAlertWindow)}
	}
	return st.WindowEndsAt, ReplyAlertState{WindowEndsAt: st.WindowEndsAt, PendingID: id, PendingCount: 1}
}
