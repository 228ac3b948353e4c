// Package e2e proves Whisper's pages in a real browser. Its tests start the
// production web edge over the real app and an embedded store, drive
// Debian's chromium through the DevTools protocol (chromedp), walk the
// reporter's and the staff member's flows at phone and desktop widths, and
// run axe-core on every page for WCAG 2.2 A and AA violations.
//
// The tests need a browser and axe-core. They look for the browser at
// $WHISPER_BROWSER, /usr/bin/chromium or chromium on PATH, and for axe-core
// in testdata/node_modules, which "npm ci" in testdata installs at the
// version pinned in testdata/package-lock.json. Without either they skip,
// unless WHISPER_REQUIRE_BROWSER=1 (set in CI) makes that a failure.
//
// With WHISPER_SCREENSHOTS=DIR, TestScreenshots writes full-page PNGs of the
// reporter form, a conversation, the staff list and a staff interaction view,
// at phone and desktop widths, into DIR. "go generate ./e2e" refreshes
// docs/screenshots that way.
package e2e

//go:generate sh -c "WHISPER_SCREENSHOTS=../docs/screenshots go test -run TestScreenshots -count=1 ."
