// Package gobench holds gouv's Go benchmarks (go test -bench ./bench/gobench),
// named for benchstat: BenchmarkEcho/impl=uv/conns=100/size=1024 and so on.
// Each compares gouv with its alternative measured in the same run: Go's
// net package, time.AfterFunc, a channel, or C libuv.
package gobench
