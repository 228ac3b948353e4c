// Package domain says what Whisper's things are and the rules they keep:
// organisations, forms and inboxes, interactions (a report and the
// messages that follow it), staff, deliveries, retention and the audit
// trail, with the error kinds every layer shares (see Kind and Error).
//
// It does no I/O and never reads the clock: callers pass the time in, so
// every rule here is a plain function a table test can check.
package domain
