# gouv: a Go binding to libuv. `make demo` runs the main job, `make test`
# runs every check. Both install libuv (Debian's libuv1-dev) when missing.
GO ?= go
export CGO_ENABLED := 1

.PHONY: all deps build vet fmt-check tidy-check test test-race test-cgocheck test-debug \
	demo bench bench-quick fuzz generate

all: build

deps:
	@sh third_party/libuv/install.sh

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

test: deps vet fmt-check tidy-check test-race test-cgocheck test-debug

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

fuzz: deps
	$(GO) test -run '^$$' -fuzz FuzzTable -fuzztime 30s ./cbridge

generate: deps
	$(GO) generate ./uv

# Issue 9's targets: the key cells (100x1024, 1000x64, lat-1x64) for uv,
# uv-p2, c-try, net1 and gnet, 7 interleaved reps, medians (min–max), ratios to
# c-try and spreads, then the million timers line (bench/key.sh, ~6 min).
bench-key: deps
	bench/key.sh
