# gouv: a Go binding to libuv. `make demo` runs the main job, `make test`
# runs every check. Both install libuv (Debian's libuv1-dev) when missing.
GO ?= go
export CGO_ENABLED := 1

.PHONY: all deps build vet fmt-check test test-race test-cgocheck test-debug demo fuzz generate

all: build

deps:
	@sh third_party/libuv/install.sh

build: deps
	$(GO) build ./...

vet: deps
	$(GO) vet ./...
	$(GO) vet -tags uvdebug ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

test-race: deps
	$(GO) test -race ./...

test-cgocheck: deps
	GOEXPERIMENT=cgocheck2 $(GO) test ./...

test-debug: deps
	$(GO) test -tags uvdebug ./...

test: deps vet fmt-check test-race test-cgocheck test-debug

demo: deps
	$(GO) run ./examples/demo

fuzz: deps
	$(GO) test -run '^$$' -fuzz FuzzTable -fuzztime 30s ./cbridge

generate: deps
	$(GO) generate ./uv
