# gouv: a Go binding to libuv. `make demo` runs the main job, `make test`
# runs every check. Both install libuv (Debian's libuv1-dev) when missing.
GO ?= go
export CGO_ENABLED := 1

.PHONY: all deps deps-asan build vet fmt-check tidy-check test test-race test-cgocheck test-debug \
	test-asan test-gogc test-soak test-shared test-embed soak demo bench bench-quick bench-udp bench-key bench-http bench-scale fuzz fuzz-table fuzz-api generate

all: build

deps:
	@sh third_party/libuv/install.sh
	@sh third_party/llhttp/install.sh
	@sh third_party/embed/install.sh

# go test -asan needs gcc's AddressSanitizer runtime (libasan8 for gcc 12,
# pulled in by gcc on Debian; installed here when missing).
deps-asan: deps
	@sh third_party/asan/install.sh

build: deps
	$(GO) build ./...

vet: deps
	$(GO) vet ./...
	$(GO) vet -tags uvdebug ./...

tidy-check:
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy"; exit 1; }

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test-race: deps
	$(GO) test -race ./...

test-cgocheck: deps
	GOEXPERIMENT=cgocheck2 $(GO) test ./...

test-debug: deps
	$(GO) test -tags uvdebug ./...

# AddressSanitizer over the binding's C (the shims are built with
# -fsanitize=address; libuv_a.a is not instrumented), with LeakSanitizer on:
# a handle or request the binding forgets to free fails the run. The whole
# suite of the uv package and the examples runs (about 2 minutes on 2
# cores, most of it building), in the uvdebug build so that the
# allocation-fault sweep drives the C error paths under ASan too.
ASAN_OPTIONS ?= detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
test-asan: deps-asan
	ASAN_OPTIONS=$(ASAN_OPTIONS) CGO_CFLAGS="-O1 -g -fno-omit-frame-pointer" \
	  $(GO) test -asan -tags uvdebug ./uv/... ./examples/...

# The uv suite once against the system's shared libuv (build tag uvshared,
# README "Hosting C libraries on a gouv loop").
test-shared: deps
	$(GO) test -count=1 -tags uvshared ./uv/

# The C libraries hosted on a gouv loop (examples/embed: h2o and
# libwebsockets; examples/h2o) against the shared libuv, under -race. The
# static build's runs are in test-race, test-cgocheck, test-debug,
# test-asan (with LeakSanitizer) and test-gogc.
test-embed: deps
	$(GO) test -count=1 -race -tags uvshared ./examples/embed/... ./examples/h2o/

# GC stress: the uv and echo tests once with a collection every time the
# heap grows by 1% (TestGCStressHandles keeps 100,000 handles alive only
# through the loop while it collects).
# -count=1: go test's cache does not see GOGC, and would reuse a plain run.
test-gogc: deps
	GOGC=1 $(GO) test -count=1 ./uv/... ./examples/...

# The short soak: the echo server under load for 30 s, sampling RSS, C
# heap, fds, goroutines and threads (examples/echo/uvecho/longsoak_test.go).
test-soak: deps
	SOAK=30s $(GO) test -count=1 -run '^TestLongSoak$$' ./examples/echo/uvecho/

# The long soak, on demand: make soak SOAK=1h.
SOAK ?= 10m
soak: deps
	SOAK=$(SOAK) $(GO) test -count=1 -timeout 0 -v -run '^TestLongSoak$$' ./examples/echo/uvecho/

# The fuzz corpora (testdata/fuzz) run in every go test above.
test: deps vet fmt-check tidy-check test-race test-cgocheck test-debug test-asan test-gogc test-soak test-shared test-embed

# The main job: build the echo servers, run the key cells once against gouv,
# Go net and C libuv, print the table. Under a minute.
demo: deps
	@bench/demo.sh

# The full benchmark matrix and extras into bench/RESULTS.md (~17 minutes).
bench: deps
	bench/bench.sh

# The key cells, every server, one run each (under 2 minutes); prints the
# table and leaves bench/RESULTS.md alone.
bench-quick: deps
	bench/run.sh --quick --out bench/out/quick.tsv --report bench/out/quick.md
	@$(GO) run ./bench/report -in bench/out/quick.tsv -brief

# Fuzz for FUZZTIME each: cbridge's table and the uv API (FuzzAPI, which
# drives timers, idles, asyncs and a TCP pair with random call sequences).
FUZZTIME ?= 60s
fuzz: fuzz-table fuzz-api

fuzz-table: deps
	$(GO) test -run '^$$' -fuzz '^FuzzTable$$' -fuzztime $(FUZZTIME) ./cbridge

fuzz-api: deps
	$(GO) test -run '^$$' -fuzz '^FuzzAPI$$' -fuzztime $(FUZZTIME) ./uv

generate: deps
	$(GO) generate ./uv

# The UDP echo matrix into bench/RESULTS-udp.md (~4 minutes); make bench
# appends it to bench/RESULTS.md.
bench-udp: deps
	bench/bench-udp.sh

# Issue 9's targets: the key cells (100x1024, 1000x64, lat-1x64) for uv,
# uv-p2, c-try, net1 and gnet, 7 interleaved reps, medians (min–max), ratios to
# c-try and spreads, then the million timers line (bench/key.sh, ~6 min).
bench-key: deps
	bench/key.sh

# HTTP servers under wrk (uvhttp on-loop and with net/http handlers, C libuv +
# llhttp, net/http, fasthttp, Node, uvloop): 5 cells, 7 interleaved reps of
# 3 s into bench/RESULTS-http.md (bench/bench-http.sh, ~15 minutes).
bench-http: deps
	bench/bench-http.sh

# Echo and HTTP servers at 9,000 keep-alive connections: CPU per round trip
# and RSS per connection into bench/RESULTS-scale.md (bench/bench-scale.sh,
# ~4 minutes).
bench-scale: deps
	bench/bench-scale.sh
