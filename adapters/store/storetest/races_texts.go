package storetest

import (
	"testing"

	"github.com/whisper-schools/whisper/ports"
)

// textRaces race text requests against each other.
var textRaces = map[string]func(*testing.T, ports.Store){}
