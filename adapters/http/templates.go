package http

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	nethttp "net/http"
	"path"
	"strings"
	"time"
)

//go:embed templates
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// pages are the parsed page templates, each joined with the layout. They
// are parsed once, at start, so a broken template stops whisperd at once
// rather than failing a reporter later.
type pages map[string]*template.Template

func parsePages() (pages, error) {
	layout, err := template.New("").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout/*.html")
	if err != nil {
		return nil, fmt.Errorf("http: parsing layout: %w", err)
	}
	out := pages{}
	// Reporter pages are named by file ("form"); staff pages by folder and
	// file ("staff/list"), and render in the staff layout.
	for _, dir := range []string{"pages", "staff"} {
		names, err := fs.Glob(templateFiles, "templates/"+dir+"/*.html")
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			t, err := template.Must(layout.Clone()).ParseFS(templateFiles, name)
			if err != nil {
				return nil, fmt.Errorf("http: parsing %s: %w", name, err)
			}
			key := strings.TrimSuffix(path.Base(name), ".html")
			if dir == "staff" {
				key = "staff/" + key
			}
			out[key] = t
		}
	}
	return out, nil
}

// templateFuncs are the few helpers templates may call.
var templateFuncs = template.FuncMap{
	"date":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
	"datetime": func(t time.Time) string { return t.UTC().Format("2 Jan 2006, 15:04") },
	"isotime":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}

// chrome is what every page's layout needs.
type chrome struct {
	Lang   string
	School string
}

// render writes a page with status. It renders into a buffer first, so a
// template failure becomes a clean 500 instead of half a page.
func (s *Server) render(w nethttp.ResponseWriter, status int, page string, view any) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("http: no page %q", page)
	}
	layout := "base"
	if strings.HasPrefix(page, "staff/") {
		layout = "staff"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, layout, view); err != nil {
		return fmt.Errorf("http: rendering %s: %w", page, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// Pages may hold report text; no cache, shared or private, may keep them.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.log.Debug("writing a page failed", slog.String("page", page), slog.Any("error", err))
	}
	return nil
}

// messagePage is a page of a heading and a few paragraphs: errors and
// notices.
type messagePage struct {
	chrome
	Heading    string
	Paragraphs []string
}
