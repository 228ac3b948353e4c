package export

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+44": "'+44", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx",
		"plain": "plain", "": "", "a=b": "a=b",
	} {
		assert.Equal(t, want, csvSafe(in), "%q", in)
	}
}
