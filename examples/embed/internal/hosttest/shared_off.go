//go:build !uvshared

package hosttest

// sharedLibuv says which libuv gouv uses in this build: its static copy.
const sharedLibuv = false
