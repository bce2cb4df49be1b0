package rollup

import "time"

// SetProgressEvery sets how often a catch-up reports, for tests; it
// returns the previous value.
func SetProgressEvery(d time.Duration) time.Duration {
	old := progressEvery
	progressEvery = d
	return old
}
