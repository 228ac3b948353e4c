package app

// Reporting holds what reporters do. None of it knows who the reporter is
// beyond what they chose to give; each use case is in its own file:
//
//   - ReportForm (reporting_report_form.go): the form a reporter fills in.
//   - SubmitReport (reporting_submit_report.go): a report from the web
//     form takes its places under the rate limits, opens an interaction
//     and alerts the inbox's people, and answers with what its page needs.
//   - ReceiveText (reporting_receive_text.go): a text opens an interaction,
//     continues one, or asks for a fresh link.
//   - Follow (reporting_follow.go): the conversation behind a secret link.
//   - ReporterReply (reporting_reporter_reply.go): the reporter writes again.
//   - RecoverLink (reporting_recover_link.go): a reporter who lost their
//     link asks for a fresh one by email; a texter texts LINK.
type Reporting struct{ *core }
