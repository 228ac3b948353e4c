package app

// Portal holds what staff do in the portal. Staff see interactions only
// through the staff view (interactions.go), which has no place for a
// reporter's contact or meta data. Each use case is in its own file:
//
//   - Signing in: SignIn, Authenticate, EndSession
//     (portal_sign_in.go,
//     portal_authenticate.go, portal_end_session.go); at the school's
//     own OpenID provider: StartSSO, SSOOffered, SSORequiredFor
//     (portal_sso_start.go) and FinishSSO (portal_sso_callback.go).
//   - Passwords: PasswordLink, SetPassword, ChangePassword,
//     ForgotPassword (portal_password_link.go, portal_set_password.go,
//     portal_change_password.go, portal_forgot_password.go).
//   - The account and its authenticator app: Account, StartTOTP,
//     ConfirmTOTP, DisableTOTP, NewRecoveryCodes (portal_account.go and
//     portal_*_totp.go, portal_new_recovery_codes.go).
//   - Casework: ListInteractions, ReadInteraction, StaffReply,
//     SetInteractionStatus, MoveInteraction (portal_*_interaction*.go,
//     portal_staff_reply.go).
//   - Stats and Export (portal_stats.go, portal_export.go).
type Portal struct{ *core }
