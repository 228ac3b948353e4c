package storetest

import (
	"testing"

	"github.com/whisper-schools/whisper/ports"
)

// interactionRaces race interaction requests against each other.
var interactionRaces = map[string]func(*testing.T, ports.Store){}
