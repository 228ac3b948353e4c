package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// One browser serves the whole test binary; each tab gets its own browser
// context, so tabs share no cookies and may run in parallel.
var (
	browserMu     sync.Mutex
	browserCtx    context.Context
	browserErr    error
	browserStop   func()
	browserTmpDir string
)

// startBrowser starts chromium once, headless, with a fresh profile.
func startBrowser() (context.Context, error) {
	browserMu.Lock()
	defer browserMu.Unlock()
	if browserCtx != nil || browserErr != nil {
		return browserCtx, browserErr
	}
	path, err := findBrowser()
	if err != nil {
		browserErr = err
		return nil, err
	}
	dir, err := os.MkdirTemp("", "whisper-e2e-chromium-")
	if err != nil {
		browserErr = err
		return nil, err
	}
	browserTmpDir = dir
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-features", "Translate,MediaRouter,OptimizationHints"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("password-store", "basic"),
		// A British browser's Accept-Language, as in the schools.
		chromedp.Flag("lang", "en-GB"),
	)
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	// The first run starts the browser; it must not carry a timeout, which
	// would end the browser with it.
	if err := chromedp.Do(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(dir)
		browserErr = fmt.Errorf("starting %s: %w", path, err)
		return nil, browserErr
	}
	browserCtx = bctx
	browserStop = func() { cancelBrowser(); cancelAlloc() }
	return browserCtx, nil
}

func stopBrowser() {
	browserMu.Lock()
	defer browserMu.Unlock()
	if browserStop != nil {
		browserStop()
	}
	if browserTmpDir != "" {
		os.RemoveAll(browserTmpDir)
	}
}

// Viewports.
const (
	phone   = 390
	desktop = 1280
)

// tab is one browser tab on a site, in its own browser context.
type tab struct {
	t     testing.TB
	s     *site
	ctx   context.Context
	width int64
}

// actionTimeout bounds one action, so a stuck page fails its test instead
// of the whole binary.
const actionTimeout = 30 * time.Second

// newTab opens a tab width CSS pixels wide, phone-like below 600.
func (s *site) newTab(t testing.TB, width int) *tab {
	t.Helper()
	bctx, err := startBrowser()
	if err != nil {
		unavailable(t, err.Error())
	}
	tctx, cancel := chromedp.NewContext(bctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first run opens the tab, whose life is the context of that run:
	// later actions may have timeouts, this one must not.
	require.NoError(t, chromedp.Do(tctx))
	b := &tab{t: t, s: s, ctx: tctx}
	b.viewport(width, 1)
	return b
}

// viewport sets the tab's width in CSS pixels and its zoom (device pixels
// per CSS pixel): 640 wide at 2 is a 1280-pixel screen at 200%.
func (b *tab) viewport(width int, zoom float64) {
	b.t.Helper()
	b.width = int64(width)
	height := int64(800)
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(zoom)}
	if width < 600 {
		height = 844
		opts = append(opts, chromedp.EmulateMobile)
	}
	b.do(chromedp.EmulateViewport(int64(width), height, opts...))
}

// scripts turns the page's JavaScript on or off, as a visitor's settings
// would. DevTools evaluation, which the tests use to look at pages, still
// works with it off.
func (b *tab) scripts(on bool) {
	b.t.Helper()
	b.call(func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: !on})
		return err
	})
}

// media emulates CSS media features, e.g. prefers-reduced-motion, and a
// media type ("print" or "" for the screen).
func (b *tab) media(typ string, features ...*emulation.MediaFeature) {
	b.t.Helper()
	b.call(func(ctx context.Context) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: typ, Features: features})
		return err
	})
}

func (b *tab) call(fn func(ctx context.Context) error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	require.NoError(b.t, fn(ctx))
}

func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.call(func(ctx context.Context) error { return chromedp.Do(ctx, steps...) })
}

// run runs one action on b and returns its value; a failure fails the test.
func run[T any](b *tab, a chromedp.Action[T]) T {
	b.t.Helper()
	var v T
	b.call(func(ctx context.Context) (err error) {
		v, err = chromedp.Run(ctx, a)
		return err
	})
	return v
}

// eval evaluates a JavaScript expression in the page and decodes its value.
func eval[T any](b *tab, expr string) T {
	b.t.Helper()
	return run(b, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// open loads path, or a full URL, and returns the HTTP status of the page.
func (b *tab) open(path string) int {
	b.t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = b.s.URL + path
	}
	resp := run(b, chromedp.NavigateResponse(path))
	require.NotNil(b.t, resp, "no response for %s", path)
	return int(resp.Status)
}

// click clicks the element sel finds and waits for the page it leads to;
// it returns that page's HTTP status.
func (b *tab) click(sel string) int {
	b.t.Helper()
	var status int64
	b.call(func(ctx context.Context) error {
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible))
		if err == nil && resp != nil {
			status = resp.Status
		}
		return err
	})
	return int(status)
}

// reload reloads the page and returns its status.
func (b *tab) reload() int {
	b.t.Helper()
	var status int64
	b.call(func(ctx context.Context) error {
		resp, err := chromedp.RunResponse(ctx, chromedp.Reload())
		if err == nil && resp != nil {
			status = resp.Status
		}
		return err
	})
	return int(status)
}

// typeInto types text into the field with id, as keystrokes.
func (b *tab) typeInto(id, text string) {
	b.t.Helper()
	b.do(chromedp.SendKeys(chromedp.ID(id), text, chromedp.NodeVisible))
}

// choose picks the option with value in the select with id.
func (b *tab) choose(id, value string) {
	b.t.Helper()
	b.do(chromedp.SetValue(chromedp.ID(id), value, chromedp.NodeVisible))
}

// clearField empties the form field with id.
func clearField(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Clear(chromedp.ID(id), chromedp.NodeVisible)
}

// value is the current value of the form field with id.
func (b *tab) value(id string) string {
	b.t.Helper()
	return run(b, chromedp.Value(chromedp.ID(id)))
}

// press sends keys to whatever has focus, e.g. kb.Tab.
func (b *tab) press(keys string) {
	b.t.Helper()
	b.do(chromedp.KeyEvent(keys))
}

// text is the visible text of the first element sel finds.
func (b *tab) text(sel string) string {
	b.t.Helper()
	return run(b, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
}

// has says whether sel finds anything, without waiting.
func (b *tab) has(sel string) bool {
	b.t.Helper()
	return eval[bool](b, fmt.Sprintf("document.querySelector(%s) !== null", jsString(sel)))
}

// path is the current URL's path.
func (b *tab) path() string {
	b.t.Helper()
	u, err := url.Parse(run(b, chromedp.Location()))
	require.NoError(b.t, err)
	return u.Path
}

// lang is the page's <html lang>.
func (b *tab) lang() string {
	b.t.Helper()
	return eval[string](b, "document.documentElement.lang")
}

// jsString quotes s for JavaScript.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// The keys the tests press.
const (
	keyTab   = kb.Tab
	keyEnter = kb.Enter
)

// screenshot writes a full-page PNG named name into $WHISPER_SCREENSHOTS,
// when that is set.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("WHISPER_SCREENSHOTS")
	if dir == "" {
		return
	}
	require.NoError(b.t, os.MkdirAll(dir, 0o755))
	png := run(b, chromedp.FullScreenshot(100))
	require.NoError(b.t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

// widthName names a viewport width in test and file names.
func widthName(w int) string {
	if w < 600 {
		return fmt.Sprintf("phone-%d", w)
	}
	return fmt.Sprintf("desktop-%d", w)
}

// The WCAG rules axe checks: WCAG 2.0, 2.1 and 2.2, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeViolation is what the tests report of a failed rule.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// axe injects axe-core into the page through the DevTools protocol, which
// the pages' Content-Security-Policy does not govern, runs the WCAG A and AA
// rules, and fails the test with every violation it finds.
func (b *tab) axe(page string) {
	b.t.Helper()
	src := axeScript(b.t)
	if !eval[bool](b, "typeof window.axe === 'object'") {
		run(b, chromedp.Evaluate[chromedp.Void](src))
	}
	tags, _ := json.Marshal(axeTags)
	expr := fmt.Sprintf(`axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})
		.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: n.target, failureSummary: n.failureSummary}))})))`, tags)
	raw := eval[[]byte](b, expr)
	var violations []axeViolation
	require.NoError(b.t, json.Unmarshal(raw, &violations))
	if len(violations) == 0 {
		return
	}
	var msg strings.Builder
	fmt.Fprintf(&msg, "axe: %d WCAG violation(s) on %s (%s, %dpx wide):", len(violations), page, b.path(), b.width)
	for _, v := range violations {
		fmt.Fprintf(&msg, "\n- %s (%s): %s <%s>", v.ID, v.Impact, v.Help, v.URL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&msg, "\n    at %v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
		}
	}
	b.t.Error(msg.String())
}
