package app

// Reporting holds what reporters do. None of it knows who the reporter is
// beyond what they chose to give; each use case is in its own file:
//
//   - ReportForm (reporting_report_form.go): the form a reporter fills in.
//   - TakeReportPlaces (reporting_take_report_places.go): a web report's
//     places under the rate limits, taken before the form is read.
//   - SubmitReport (reporting_submit_report.go): a report from the web
//     form opens an interaction and alerts the inbox's people.
//   - ReceiveText (reporting_receive_text.go): a text opens an interaction,
//     continues one, or asks for a fresh link.
//   - Follow (reporting_follow.go): the conversation behind a secret link.
//   - ReporterReply (reporting_reporter_reply.go): the reporter writes again.
type Reporting struct{ *core }
