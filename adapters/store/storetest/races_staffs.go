package storetest

import (
	"testing"

	"github.com/whisper-schools/whisper/ports"
)

// staffRaces race staff requests against each other.
var staffRaces = map[string]func(*testing.T, ports.Store){}
