package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// The HTTP report (-http): the TSV of bench/bench-http.sh, one row per wrk
// run, into bench/RESULTS-http.md.

// httpCell describes a bench-http.sh cell from its metadata line
// "NAME|CONNS|PATH|DEPTH".
func httpCell(meta []string, name string) string {
	for _, m := range meta {
		f := strings.Split(m, "|")
		if len(f) == 4 && f[0] == name {
			d := "not pipelined"
			if f[3] != "1" {
				d = "pipelined " + f[3] + " deep"
			}
			return fmt.Sprintf("`GET %s`, %s connections, %s", f[2], f[1], d)
		}
	}
	return name
}

// cpuPerReq is the median server CPU-µs per request of one server in a
// cell, NaN when it has no ok run.
func cpuPerReq(gs map[[2]string]*group, cell, server string) float64 {
	return gs[[2]string{cell, server}].stat("server_cpu_us_per_req").med
}

func fmtRatio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

func writeHTTP(w io.Writer, ds *dataset, meta map[string]string, cellMeta, servers, allocs []string) {
	fmt.Fprintln(w, "# HTTP benchmark: uvhttp against C libuv + llhttp, net/http, fasthttp, Node and uvloop")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "- command: `%s` (what make bench-http runs)\n", or(meta["command"], "bench/bench-http.sh"))
	fmt.Fprintf(w, "- date: %s; git: %s\n", or(meta["date"], "?"), or(meta["git"], "?"))
	fmt.Fprintf(w, "- machine: nproc %s, %s, kernel %s\n", or(meta["nproc"], "?"), or(meta["cpu_model"], "?"), or(meta["kernel"], "?"))
	fmt.Fprintf(w, "- software: %s, libuv %s, llhttp %s (Debian node-llhttp), wrk %s, Node %s, uvloop %s\n",
		or(meta["go_version"], "?"), or(meta["libuv_version"], "?"), or(meta["llhttp_version"], "?"),
		or(meta["wrk_version"], "?"), or(meta["node_version"], "?"), or(meta["uvloop_version"], "?"))
	fmt.Fprintf(w, "- each run: the server alone on core 0 (`taskset -c 0`), `wrk -t1 --latency` on core 1 (`taskset -c 1`) for %s s; %s reps interleaved rep-major (every cell and server once per rep, then the next rep)\n",
		or(meta["duration"], "?"), or(meta["reps"], "?"))
	fmt.Fprintln(w, "- figures: median (min–max) over the reps. CPU-µs/req = the server's utime+stime (/proc/PID/stat, every thread) over the wrk run / the requests wrk completed. p99 from wrk --latency (wrk 4.1 gives no p99 when pipelining: n/a). `other` = the machine's busy cores not used by the server or wrk: other engineers' builds and tests on this shared 2-core machine; runs with a high `other` are noisier, and the CPU-µs figure is the one that holds up.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| server | what |")
	fmt.Fprintln(w, "|---|---|")
	for _, s := range servers {
		name, note, _ := strings.Cut(s, "|")
		fmt.Fprintf(w, "| `%s` | %s |\n", name, note)
	}
	fmt.Fprintln(w)
	gs := ds.groups()
	writeHTTPTargets(w, ds, gs, allocs)
	for _, cell := range ds.cells {
		fmt.Fprintf(w, "## %s: %s\n\n", cell, httpCell(cellMeta, cell))
		fmt.Fprintln(w, "| server | CPU-µs/req | vs c | vs std | req/s | p99 µs | server cores | other | ok |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
		c, std := cpuPerReq(gs, cell, "c"), cpuPerReq(gs, cell, "std")
		for _, s := range ds.servers {
			g := gs[[2]string{cell, s}]
			if g == nil {
				continue
			}
			v := g.stat("server_cpu_us_per_req")
			fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %d/%d |\n", s,
				fmtRange(v, func(x float64) string { return fmtNum(x, 2) }),
				fmtRatio(v.med, c), fmtRatio(v.med, std),
				fmtRange(g.stat("rps"), fmtRate),
				fmtRange(g.stat("p99_us"), func(x float64) string { return fmtNum(x, 0) }),
				fmtNum(g.stat("server_cpu_frac").med, 2),
				fmtNum(g.stat(otherLoad).med, 2), g.ok, g.total)
		}
		fmt.Fprintln(w)
	}
}

// writeHTTPTargets writes the targets of issues 14 and 15 with the figures
// of this run and whether each holds.
func writeHTTPTargets(w io.Writer, ds *dataset, gs map[[2]string]*group, allocs []string) {
	fmt.Fprintln(w, "## Targets (issues 14 and 15)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | cell | figure | holds |")
	fmt.Fprintln(w, "|---|---|---|---|")
	verdict := func(ok bool, known bool) string {
		if !known {
			return "n/a"
		}
		if ok {
			return "yes"
		}
		return "**no**"
	}
	for _, cell := range []string{"pipe16", "plain100"} {
		uv := cpuPerReq(gs, cell, "uv")
		c := cpuPerReq(gs, cell, "c")
		std := cpuPerReq(gs, cell, "std")
		ok := !math.IsNaN(uv)
		fmt.Fprintf(w, "| uv CPU/req ≤ 1.15x c | %s | %s / %s µs = %s | %s |\n", cell,
			fmtNum(uv, 2), fmtNum(c, 2), fmtRatio(uv, c), verdict(uv <= 1.15*c, ok && !math.IsNaN(c)))
		fmt.Fprintf(w, "| uv CPU/req ≤ 0.5x std | %s | %s / %s µs = %s | %s |\n", cell,
			fmtNum(uv, 2), fmtNum(std, 2), fmtRatio(uv, std), verdict(uv <= 0.5*std, ok && !math.IsNaN(std)))
		for _, peer := range []string{"fasthttp", "node", "uvloop"} {
			p := cpuPerReq(gs, cell, peer)
			fmt.Fprintf(w, "| uv CPU/req < %s | %s | %s vs %s µs = %s | %s |\n", peer, cell,
				fmtNum(uv, 2), fmtNum(p, 2), fmtRatio(uv, p), verdict(uv < p, ok && !math.IsNaN(p)))
		}
		for _, v := range [][2]string{{"uv-nethttp", "std"}, {"uv-nethttp-p2", "std-p2"}} {
			n, s := cpuPerReq(gs, cell, v[0]), cpuPerReq(gs, cell, v[1])
			fmt.Fprintf(w, "| %s CPU/req ≤ %s | %s | %s vs %s µs = %s | %s |\n", v[0], v[1], cell,
				fmtNum(n, 2), fmtNum(s, 2), fmtRatio(n, s), verdict(n <= s, !math.IsNaN(n) && !math.IsNaN(s)))
			np := gs[[2]string{cell, v[0]}].stat("p99_us").med
			sp := gs[[2]string{cell, v[1]}].stat("p99_us").med
			fmt.Fprintf(w, "| %s p99 ≤ %s's | %s | %s vs %s µs | %s |\n", v[0], v[1], cell,
				fmtNum(np, 0), fmtNum(sp, 0), verdict(np <= sp, !math.IsNaN(np) && !math.IsNaN(sp)))
		}
	}
	writeAllocs(w, allocs)
	fmt.Fprintln(w, "RSS per connection at 9,000 connections: `make bench-scale` (bench/RESULTS-scale.md).")
	fmt.Fprintln(w)
}

// writeAllocs adds the allocation target's rows from the `go test -bench
// -benchmem` lines bench-http.sh saved (IN.allocs).
func writeAllocs(w io.Writer, lines []string) {
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) < 8 || !strings.HasPrefix(f[0], "Benchmark") || f[len(f)-1] != "allocs/op" {
			continue
		}
		n := f[len(f)-2]
		v := "yes"
		if n != "0" {
			v = "**no**"
		}
		fmt.Fprintf(w, "| allocations per request = 0 | `%s` (uv/uvhttp, -benchmem) | %s allocs/op, %s ns/op | %s |\n", f[0], n, f[2], v)
	}
	fmt.Fprintln(w)
}

// readMetaList returns the values of the metadata lines "KEY=value", in
// order.
func readMetaList(path, key string) []string {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var vs []string
	for _, line := range strings.Split(string(text), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && k == key {
			vs = append(vs, v)
		}
	}
	return vs
}

// writeScale writes bench/bench-scale.sh's report: per server, CPU-µs per
// round trip (request), rt/s, p99 and RSS per connection at N connections,
// with the targets on RSS per connection.
func writeScale(w io.Writer, ds *dataset, meta map[string]string, servers []string) {
	fmt.Fprintf(w, "# Scale: echo and HTTP servers at %s keep-alive connections\n\n", or(meta["conns"], "?"))
	fmt.Fprintf(w, "- command: `%s` (what make bench-scale runs)\n", or(meta["command"], "bench/bench-scale.sh"))
	fmt.Fprintf(w, "- date: %s; git: %s\n", or(meta["date"], "?"), or(meta["git"], "?"))
	fmt.Fprintf(w, "- machine: nproc %s, %s, kernel %s; %s, libuv %s; fd limit %s\n", or(meta["nproc"], "?"),
		or(meta["cpu_model"], "?"), or(meta["kernel"], "?"), or(meta["go_version"], "?"),
		or(meta["libuv_version"], "?"), or(meta["nofile"], "?"))
	fmt.Fprintf(w, "- each run: the server alone on core 0, `bench/out/loadgen` on core 1 with %s connections, each keeping one 64-byte echo or one `GET /plaintext` (HTTP/1.1 keep-alive) in flight; %s s warm-up, %s s measured; %s reps interleaved (every server once per rep)\n",
		or(meta["conns"], "?"), or(meta["warmup"], "?"), or(meta["duration"], "?"), or(meta["reps"], "?"))
	fmt.Fprintln(w, "- figures: median (min–max) over the reps. CPU-µs/rt: the server's CPU time (schedstat, every thread) over the measured window / round trips (requests). RSS/conn = (peak RSS (VmHWM) during the run − RSS once listening (VmRSS)) / connections. `other`: busy cores outside server and load generator.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| server | what |")
	fmt.Fprintln(w, "|---|---|")
	for _, s := range servers {
		name, note, _ := strings.Cut(s, "|")
		fmt.Fprintf(w, "| `%s` | %s |\n", name, note)
	}
	fmt.Fprintln(w)
	gs := ds.groups()
	rss := func(s string) float64 {
		for _, c := range ds.cells {
			if g := gs[[2]string{c, s}]; g != nil {
				return g.stat("rss_per_conn_b").med
			}
		}
		return math.NaN()
	}
	fmt.Fprintln(w, "## Targets (issues 14 and 15)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | figure | holds |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, t := range []struct {
		server string
		max    float64
	}{{"http-uv", 0.25}, {"http-uv-nethttp", 0.5}} {
		a, b := rss(t.server), rss("http-std")
		v := "n/a"
		if !math.IsNaN(a) && !math.IsNaN(b) {
			v = "yes"
			if a > t.max*b {
				v = "**no**"
			}
		}
		fmt.Fprintf(w, "| %s RSS/conn ≤ %.2fx http-std's | %s / %s B = %s | %s |\n", t.server, t.max,
			fmtNum(a, 0), fmtNum(b, 0), fmtRatio(a, b), v)
	}
	fmt.Fprintln(w)
	for _, cell := range ds.cells {
		base := "echo-net1"
		if strings.HasPrefix(cell, "http") {
			base = "http-std"
		}
		fmt.Fprintf(w, "## %s\n\n", cell)
		fmt.Fprintf(w, "| server | CPU-µs/rt | rt/s | p99 µs | RSS/conn B | vs %s | peak RSS MiB | other | ok |\n", base)
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|")
		b := rss(base)
		for _, s := range ds.servers {
			g := gs[[2]string{cell, s}]
			if g == nil {
				continue
			}
			r := g.stat("rss_per_conn_b")
			fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %d/%d |\n", s,
				fmtRange(g.stat("server_cpu_us_per_rt"), func(x float64) string { return fmtNum(x, 2) }),
				fmtRange(g.stat("rtps"), fmtRate),
				fmtRange(g.stat("p99_us"), func(x float64) string { return fmtNum(x, 0) }),
				fmtRange(r, func(x float64) string { return fmtNum(x, 0) }),
				fmtRatio(r.med, b),
				fmtNum(g.stat("hwm_kb").med/1024, 1),
				fmtNum(g.stat(otherLoad).med, 2), g.ok, g.total)
		}
		fmt.Fprintln(w)
	}
}
