package app

// Subscriptions holds what the operator does, from whisperctl, for the
// organisations that subscribe to the service, audited as Operations is:
//
//   - SetTrial: when an organisation's trial ends.
//   - SetContact: whom the operator writes to at an organisation.
//   - Notify: a notice (planned maintenance, changes to the terms) emailed
//     to organisations' contacts and admins, through the outbox.
//
// Creating, listing and suspending organisations are Operations'
// (CreateOrganisation, ListOrganisations, SetOrganisationStatus); the
// reminders before a trial ends are sent by Operations.Housekeep
// (trial_reminders.go).
type Subscriptions struct{ *core }
