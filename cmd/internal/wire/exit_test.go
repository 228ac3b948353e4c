package wire

import (
	"testing"

	"github.com/stretchr/testify/assert"

	httpadapter "github.com/whisper-schools/whisper/adapters/http"
	"github.com/whisper-schools/whisper/cmd/internal/config"
)

// The configuration's default quick exit is a plain string, so that it
// imports no adapter; it must be the one the reporter pages fall back on.
func TestConfigKnowsTheDefaultExit(t *testing.T) {
	assert.Equal(t, httpadapter.DefaultExitURL, config.DefaultExitURL)
	assert.Equal(t, config.DefaultExitURL, config.Default().Reporter.ExitURL)
}
