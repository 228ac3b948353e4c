package app

// Operations holds what the operator does from whisperctl, as an Operator
// who may see everything and is audited for every sensitive act
// (operator.go), and the background work whisperd does on its own. Each
// use case is in its own file, operations_*.go:
//
//   - Organisations, forms, inboxes and accounts: CreateOrganisation,
//     ListOrganisations, SetOrganisationStatus, CreateForm, CreateInbox,
//     CreateStaff, ListStaff, ResetStaff; single sign-on: SetSSO, SSO,
//     RemoveSSO (operations_sso.go).
//   - A data subject's rights and lawful requests: Erase, SetHold,
//     Disclose, Export; subject access and rectification are in Rights
//     (rights.go).
//   - Abuse and holds: Block, Unblock; InForce lists the blocks and
//     legal holds in force.
//   - Records: Stats, AuditLog, AuditHead, VerifyAudit.
//   - Background work: Purge (retention), Housekeep, Ready.
type Operations struct{ *core }
