package swearing

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// This file keeps the text handling as it was before the fast paths in
// text.go, without them, so that tests can hold the fast code to it. Only
// the names have changed (a "ref" prefix).

// refContainsSwearing is ContainsSwearing before the fast paths: one go-away
// detector, with accent removal, for every form.
func (f *Filter) refContainsSwearing(text string, extra []string) bool {
	if strings.TrimSpace(text) == "" {
		return false
	}
	folded := refFold(text)
	for _, v := range refVariants(folded) {
		if f.detector.IsProfane(v) {
			return true
		}
	}
	return refContainsAny(folded, extra)
}

func refFold(text string) string {
	s := norm.NFKD.String(text)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
			continue
		}
		b.WriteRune(r)
	}
	return norm.NFC.String(cases.Fold().String(b.String()))
}

func refVariants(folded string) []string {
	out := []string{refWordForm(folded, true)}
	if v := refWordForm(folded, false); v != out[0] {
		out = append(out, v)
	}
	for _, v := range out {
		if j := refJoinSingles(v); j != v {
			out = append(out, j)
		}
	}
	for _, v := range out {
		if c := refCollapseRuns(v, 1); c != v {
			out = append(out, c, refCollapseRuns(v, 2))
		}
	}
	return out
}

func refWordForm(s string, keepLeet bool) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte(' ')
	for _, r := range s {
		switch {
		case refIsWordRune(r), r == '*':
			b.WriteRune(r)
		case keepLeet && strings.ContainsRune(leetSymbols, r):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	b.WriteByte(' ')
	return b.String()
}

func refJoinSingles(v string) string {
	fields := strings.Fields(v)
	var out []string
	changed := false
	for i := 0; i < len(fields); {
		j := i
		for j < len(fields) && refIsSingle(fields[j]) {
			j++
		}
		if j-i >= 3 {
			out = append(out, strings.Join(fields[i:j], ""))
			changed = true
			i = j
			continue
		}
		if j == i {
			j++
		}
		out = append(out, fields[i:j]...)
		i = j
	}
	if !changed {
		return v
	}
	return " " + strings.Join(out, " ") + " "
}

func refIsSingle(field string) bool {
	n := 0
	for range field {
		n++
	}
	return n == 1
}

func refCollapseRuns(v string, keep int) string {
	rs := []rune(v)
	out := make([]rune, 0, len(rs))
	for i := 0; i < len(rs); {
		j := i
		for j < len(rs) && rs[j] == rs[i] {
			j++
		}
		n := j - i
		if n >= 3 && rs[i] != ' ' {
			n = keep
		}
		for k := 0; k < n; k++ {
			out = append(out, rs[i])
		}
		i = j
	}
	return string(out)
}

func refContainsAny(folded string, extra []string) bool {
	var words []string
	for _, e := range extra {
		want := refTokens(refFold(e))
		if len(want) == 0 {
			continue
		}
		if words == nil {
			words = refTokens(folded)
		}
		for i := 0; i+len(want) <= len(words); i++ {
			if slices.Equal(words[i:i+len(want)], want) {
				return true
			}
		}
	}
	return false
}

func refTokens(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !refIsWordRune(r) })
}

func refIsWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}
