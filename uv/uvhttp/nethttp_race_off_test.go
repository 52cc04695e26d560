//go:build !race

package uvhttp_test

const raceOn = false
