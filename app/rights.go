package app

// Rights holds what the operator does when a reporter exercises their
// rights over their personal data, as an Operator, audited for each act.
// Each use case is in its own file, rights_*.go:
//
//   - SubjectAccessRequest: everything held about a reporter, found by
//     their email address or phone number, telling the schools concerned
//     when asked.
//   - Rectify: a reporter's email address, phone number or name put right.
//
// Erasure, legal holds and disclosure stay in Operations for now.
type Rights struct{ *core }
