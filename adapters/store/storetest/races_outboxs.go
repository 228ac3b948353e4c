package storetest

import (
	"testing"

	"github.com/whisper-schools/whisper/ports"
)

// outboxRaces race outbox requests against each other.
var outboxRaces = map[string]func(*testing.T, ports.Store){}
