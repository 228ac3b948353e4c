package http

import (
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/boombuler/barcode/qr"
)

// qrQuietZone is the blank margin, in modules, that scanners need around a
// QR code.
const qrQuietZone = 4

// qrModulePixels is how wide one module is drawn, in CSS pixels; a code
// of up to 57 modules then fits a 320-pixel screen.
const qrModulePixels = 4

// qrSVG draws content as a QR code in inline SVG: the page's security
// policy allows no scripts and no data: URLs, and markup needs neither.
// Each run of dark modules in a row is one rectangle. label is the text
// alternative for those who cannot see it.
func qrSVG(content, label string) (template.HTML, error) {
	code, err := qr.Encode(content, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("http: drawing a QR code: %w", err)
	}
	bounds := code.Bounds()
	n := bounds.Dx()
	dark := func(x, y int) bool {
		r, _, _, _ := code.At(bounds.Min.X+x, bounds.Min.Y+y).RGBA()
		return r < 0x8000
	}
	size := n + 2*qrQuietZone
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s" shape-rendering="crispEdges">`,
		size, size, size*qrModulePixels, size*qrModulePixels, html.EscapeString(label))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/><g fill="#000000">`, size, size)
	for y := 0; y < n; y++ {
		for x := 0; x < n; {
			if !dark(x, y) {
				x++
				continue
			}
			start := x
			for x < n && dark(x, y) {
				x++
			}
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="1"/>`, start+qrQuietZone, y+qrQuietZone, x-start)
		}
	}
	b.WriteString(`</g></svg>`)
	// Safe: every value in the markup is a number or escaped above.
	return template.HTML(b.String()), nil
}
