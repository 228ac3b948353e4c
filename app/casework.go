package app

// Casework holds what a school's safeguarding staff do with the
// interactions they may see, beyond reading and answering them: triage,
// assignment, urgency, internal notes, history, the printable record and
// how they are told of new work. Like Portal, it sees interactions only
// through the staff view, so none of it can reach a reporter's contact or
// meta data, and none of it is ever shown or sent to a reporter.
//
// Each use case is in its own file, casework_*.go.
type Casework struct{ *core }
