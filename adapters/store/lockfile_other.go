//go:build !unix

package store

import "sync"

// localLocks stands in for file locks where flock is missing: they
// exclude holders in this process only. Whisper is served from Unix; this
// keeps the embedded store building (and its tests running) elsewhere.
var localLocks sync.Map

// lockFile takes the in-process lock named path without waiting.
func lockFile(path string) (unlock func(), ok bool, err error) {
	mu, _ := localLocks.LoadOrStore(path, &sync.Mutex{})
	if !mu.(*sync.Mutex).TryLock() {
		return nil, false, nil
	}
	return mu.(*sync.Mutex).Unlock, true, nil
}
