//go:build race

package uvhttp_test

// raceOn: the race detector slows byte-moving tests some tenfold, so they
// move less under it.
const raceOn = true
