package config

// The binaries embed the time zone database (cmd/whisperd and
// cmd/whisperctl import time/tzdata); so do these tests, so that
// TestTimeZone passes on a machine with none of its own.
import _ "time/tzdata"
