package domain_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/whisper-schools/whisper/domain"
)

func TestIsText(t *testing.T) {
	for s, want := range map[string]bool{
		"": true, "Oakfield": true, "Ysgol Gymraeg – ŵ ŷ": true, "tab\tand\nnewline": true, "😀": true,
		"a\x00b": false, "a\xffb": false, "\xed\xa0\x80": false, // a lone surrogate
	} {
		assert.Equal(t, want, domain.IsText(s), "%q", s)
	}
}
