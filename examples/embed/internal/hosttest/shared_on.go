//go:build uvshared

package hosttest

// sharedLibuv says which libuv gouv uses in this build: libuv.so.1.
const sharedLibuv = true
