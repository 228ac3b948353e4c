package sms

import "unicode/utf16"

// MaxLength is the longest text Whisper sends, in characters: what carriers
// join reliably (about ten segments).
const MaxLength = 1600

// Encoding is how a text travels over the air.
type Encoding string

// The two encodings carriers use.
const (
	GSM7 Encoding = "GSM-7"
	UCS2 Encoding = "UCS-2"
)

// gsmBasic is the GSM 03.38 default alphabet; each takes one septet.
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtended are reached through the escape code; each takes two septets.
const gsmExtended = "\f^{}\\[~]|€"

var (
	basicSet    = runeSet(gsmBasic)
	extendedSet = runeSet(gsmExtended)
)

func runeSet(s string) map[rune]bool {
	m := map[rune]bool{}
	for _, r := range s {
		m[r] = true
	}
	return m
}

// Segments says how a text will be sent and billed: its encoding and how
// many segments it takes. One character outside GSM-7 makes the whole text
// UCS-2, where an emoji counts twice.
func Segments(text string) (Encoding, int) {
	septets, gsm := 0, true
	for _, r := range text {
		switch {
		case basicSet[r]:
			septets++
		case extendedSet[r]:
			septets += 2
		default:
			gsm = false
		}
	}
	if gsm {
		return GSM7, count(septets, 160, 153)
	}
	return UCS2, count(len(utf16.Encode([]rune(text))), 70, 67)
}

// count is how many segments units need when one segment holds single
// and each part of a longer text holds multi.
func count(units, single, multi int) int {
	switch {
	case units == 0:
		return 0
	case units <= single:
		return 1
	default:
		return (units + multi - 1) / multi
	}
}
