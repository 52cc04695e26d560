// Command report turns the TSV written by bench/run.sh into a Markdown
// report (bench/RESULTS.md).
//
//	go run ./bench/report -in bench/out/results-DATE.tsv -out bench/RESULTS.md
//
// It reads the run's metadata from IN.meta (written by run.sh) when present.
// For every cell (connections x message size) it lists each server's round
// trips per second, latency, and server CPU microseconds per round trip, as
// medians over the repetitions with their range, and the ratio of each
// server's CPU-us per round trip to the baseline server's (c-try) in the
// same cell.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

// run is one TSV row: one server, one cell, one repetition.
type run struct {
	server, cell, cpus, status string
	rep                        int
	m                          map[string]float64 // numeric loadgen metrics
	src                        string             // server_cpu_src
}

// dataset is a parsed TSV with its cells and servers in first-seen order.
type dataset struct {
	runs    []run
	cells   []string
	servers []string
}

func parseTSV(r io.Reader) (*dataset, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	if !sc.Scan() {
		return nil, errors.New("empty TSV")
	}
	header := strings.Split(sc.Text(), "\t")
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, need := range []string{"server", "cell", "rep", "status"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("TSV has no %q column", need)
		}
	}
	ds := &dataset{}
	seenCell, seenServer := map[string]bool{}, map[string]bool{}
	line := 1
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != len(header) {
			return nil, fmt.Errorf("line %d: %d fields, header has %d", line, len(f), len(header))
		}
		rep, _ := strconv.Atoi(f[col["rep"]])
		r := run{
			server: f[col["server"]],
			cell:   f[col["cell"]],
			status: f[col["status"]],
			rep:    rep,
			m:      map[string]float64{},
		}
		if i, ok := col["cpus"]; ok {
			r.cpus = f[i]
		}
		if i, ok := col["server_cpu_src"]; ok {
			r.src = f[i]
		}
		for i, h := range header {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				r.m[h] = v
			}
		}
		ds.runs = append(ds.runs, r)
		if !seenCell[r.cell] {
			seenCell[r.cell] = true
			ds.cells = append(ds.cells, r.cell)
		}
		if !seenServer[r.server] {
			seenServer[r.server] = true
			ds.servers = append(ds.servers, r.server)
		}
	}
	return ds, sc.Err()
}

// stat is the median and range of one metric over the ok runs of a group.
type stat struct {
	med, min, max float64
	n             int
}

func summarize(xs []float64) stat {
	if len(xs) == 0 {
		return stat{med: math.NaN(), min: math.NaN(), max: math.NaN()}
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stat{med: med, min: s[0], max: s[len(s)-1], n: len(s)}
}

// group holds the runs of one server in one cell.
type group struct {
	ok, total int
	cpus      string
	srcs      map[string]bool
	vals      map[string][]float64
}

// metric names derived from the loadgen's columns.
const otherLoad = "other_cores" // machine busy cores outside server + loadgen

func (ds *dataset) groups() map[[2]string]*group {
	gs := map[[2]string]*group{}
	for _, r := range ds.runs {
		k := [2]string{r.cell, r.server}
		g := gs[k]
		if g == nil {
			g = &group{vals: map[string][]float64{}, srcs: map[string]bool{}, cpus: r.cpus}
			gs[k] = g
		}
		g.total++
		if r.status != "ok" {
			continue
		}
		g.ok++
		g.srcs[r.src] = true
		for name, v := range r.m {
			g.vals[name] = append(g.vals[name], v)
		}
		sb, ok1 := r.m["sys_busy_cores"]
		sf, ok2 := r.m["server_cpu_frac"]
		cf, ok3 := r.m["client_cpu_frac"]
		if ok1 && ok2 && ok3 && sb >= 0 && sf >= 0 {
			g.vals[otherLoad] = append(g.vals[otherLoad], math.Max(0, sb-sf-cf))
		}
	}
	return gs
}

func (g *group) stat(name string) stat {
	if g == nil {
		return summarize(nil)
	}
	return summarize(g.vals[name])
}

// readMeta reads run.sh's key=value metadata; "server" lines are collected
// in order.
func readMeta(path string) (map[string]string, []string) {
	meta := map[string]string{}
	var servers []string
	f, err := os.Open(path)
	if err != nil {
		return meta, nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		if k == "server" {
			servers = append(servers, v)
			continue
		}
		meta[k] = v
	}
	return meta, servers
}

func fmtNum(v float64, prec int) string {
	if math.IsNaN(v) || v < 0 {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// fmtRate prints a rate with thousands grouping (123456 -> 123,456).
func fmtRate(v float64) string {
	if math.IsNaN(v) || v < 0 {
		return "n/a"
	}
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func fmtRange(s stat, f func(float64) string) string {
	if s.n == 0 {
		return "n/a"
	}
	if s.n == 1 {
		return f(s.med)
	}
	return fmt.Sprintf("%s (%s–%s)", f(s.med), f(s.min), f(s.max))
}

func describeCell(cell string) string {
	spec, lat := strings.CutPrefix(cell, "lat-")
	spec, udp := strings.CutPrefix(spec, "udp-")
	n, s, ok := strings.Cut(spec, "x")
	if !ok {
		return cell
	}
	where := "load generator on core 1, server on core 0"
	if lat {
		where = "latency cell: load generator and server on the SAME core 0"
	}
	if udp {
		flows := n + " UDP flows"
		if n == "1" {
			flows = "1 UDP flow"
		}
		return fmt.Sprintf("%s (connected sockets), %s-byte datagrams, one in flight per flow; %s", flows, s, where)
	}
	conns := n + " connections"
	if n == "1" {
		conns = "1 connection"
	}
	return fmt.Sprintf("%s, %s-byte messages, ping-pong; %s", conns, s, where)
}

// isUDP reports whether a cell is one of run.sh's UDP cells (udp-NxS).
func isUDP(cell string) bool { return strings.HasPrefix(strings.TrimPrefix(cell, "lat-"), "udp-") }

func write(w io.Writer, ds *dataset, meta map[string]string, servers []string, baseline string) {
	gs := ds.groups()
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }

	p("# Echo benchmark results\n\n")
	p("Generated by `go run ./bench/report` from the TSV of `%s`.\n\n", or(meta["command"], "bench/run.sh"))
	p("| | |\n|---|---|\n")
	p("| date | %s |\n", or(meta["date"], "unknown"))
	p("| machine | %s CPUs, %s |\n", or(meta["nproc"], "?"), or(meta["cpu_model"], "?"))
	p("| kernel | %s |\n", or(meta["kernel"], "?"))
	p("| Go | %s |\n", or(meta["go_version"], "?"))
	p("| libuv | %s (Debian libuv1-dev, linked statically) |\n", or(meta["libuv_version"], "?"))
	if v := meta["node_version"]; v != "" && !strings.HasPrefix(v, " ") {
		p("| Node.js | %s |\n", v)
	}
	if v := meta["uvloop_version"]; v != "" {
		p("| uvloop | %s (Debian python3-uvloop, system libuv) |\n", v)
	}
	p("| per run | %ss warm-up, %ss measured |\n", or(meta["warmup"], "?"), or(meta["duration"], "?"))
	p("| repetitions | %s per cell and server, servers interleaved (A B C A B C) |\n\n", or(meta["reps"], "?"))

	if len(servers) > 0 {
		p("## Servers\n\n| name | cores | what |\n|---|---|---|\n")
		for _, s := range servers {
			parts := strings.SplitN(s, "|", 3)
			for len(parts) < 3 {
				parts = append(parts, "")
			}
			p("| %s | %s | %s |\n", parts[0], parts[1], parts[2])
		}
		p("\n")
	}

	p("## Reading the tables\n\n")
	p("- **rt/s**: completed round trips per second over the measured window (each connection keeps one message in flight).\n")
	p("- **p50/p99**: round-trip latency percentiles in microseconds (CLOCK_MONOTONIC, from send start to the last echoed byte).\n")
	p("- **CPU-µs/rt**: the server's CPU time over the measured window (sum of the first field of `/proc/PID/task/*/schedstat` over all its threads: nanoseconds on CPU, user + kernel, including the loopback TCP work done in its syscalls) divided by the round trips completed in the window. Lower is better. It stays comparable when throughput is limited by the load generator, which rt/s does not.\n")
	p("- **vs %s**: the server's median CPU-µs/rt divided by %s's in the same cell.\n", baseline, baseline)
	p("- **server / loadgen cores**: CPU time over wall time. A server near 1.00 is saturated; a loadgen near 1.00 means rt/s is (co-)limited by the load generator, which on a 2-core machine costs about as much per round trip as the fastest servers.\n")
	p("- **other**: machine-wide busy cores (`/proc/stat`) not accounted for by server + loadgen: noise from other processes. Runs with more than 0.2 are suspect.\n")
	for _, c := range ds.cells {
		if isUDP(c) {
			p("- **UDP cells** (`udp-NxS`): N flows (connected UDP sockets of the load generator), each keeping one S-byte datagram in flight. A round trip is one datagram echoed, so CPU-µs/rt is the server's CPU per datagram received and sent back. A datagram not echoed within the load generator's timeout is sent again; its round trip counts from the first send.\n")
			break
		}
	}
	p("- Values are medians over the ok repetitions, with (min–max).\n\n")

	// Summary matrix.
	p("## Summary: server CPU-µs per round trip (median; ratio to %s)\n\n", baseline)
	p("| server |")
	for _, c := range ds.cells {
		p(" %s |", c)
	}
	p("\n|---|")
	for range ds.cells {
		p("---|")
	}
	p("\n")
	for _, s := range ds.servers {
		p("| %s |", s)
		for _, c := range ds.cells {
			st := gs[[2]string{c, s}].stat("server_cpu_us_per_rt")
			base := gs[[2]string{c, baseline}].stat("server_cpu_us_per_rt")
			cell := fmtNum(st.med, 2)
			if st.n > 0 && base.n > 0 && base.med > 0 {
				cell += fmt.Sprintf(" (%.2f)", st.med/base.med)
			}
			p(" %s |", cell)
		}
		p("\n")
	}
	p("\n")

	var failed []run
	for _, c := range ds.cells {
		p("## %s\n\n%s.\n\n", c, describeCell(c))
		p("| server | rt/s median (min–max) | p50 µs | p99 µs | CPU-µs/rt median (min–max) | vs %s | server cores | loadgen cores | other | ok runs |\n", baseline)
		p("|---|---|---|---|---|---|---|---|---|---|\n")
		base := gs[[2]string{c, baseline}].stat("server_cpu_us_per_rt")
		for _, s := range ds.servers {
			g := gs[[2]string{c, s}]
			if g == nil {
				continue
			}
			name := s
			if strings.Contains(g.cpus, ",") || strings.Contains(g.cpus, "-") {
				name += " (cores " + g.cpus + ")"
			}
			cpu := g.stat("server_cpu_us_per_rt")
			ratio := "n/a"
			if cpu.n > 0 && base.n > 0 && base.med > 0 {
				ratio = fmt.Sprintf("%.2f", cpu.med/base.med)
			}
			if g.srcs["stat"] {
				ratio += " (tick-based CPU)"
			}
			other := g.stat(otherLoad)
			otherS := fmtNum(other.med, 2)
			if other.n > 0 && other.max > 0.2 {
				otherS += fmt.Sprintf(" (max %.2f)", other.max)
			}
			p("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %d/%d |\n",
				name,
				fmtRange(g.stat("rtps"), fmtRate),
				fmtNum(g.stat("p50_us").med, 1),
				fmtNum(g.stat("p99_us").med, 1),
				fmtRange(cpu, func(v float64) string { return fmtNum(v, 2) }),
				ratio,
				fmtNum(g.stat("server_cpu_frac").med, 2),
				fmtNum(g.stat("client_cpu_frac").med, 2),
				otherS,
				g.ok, g.total)
		}
		p("\n")
		if isUDP(c) {
			// The load generator's re-sends after its timeout, and the
			// late echoes of them it skipped: a re-send with no late echo
			// was a lost datagram.
			p("Datagrams sent again after the load generator's timeout, median per run (late duplicates in parentheses):")
			for _, s := range ds.servers {
				if g := gs[[2]string{c, s}]; g != nil {
					p(" %s %s (%s);", s, fmtNum(g.stat("losses").med, 0), fmtNum(g.stat("dups").med, 0))
				}
			}
			p("\n\n")
		}
		for _, r := range ds.runs {
			if r.cell == c && r.status != "ok" {
				failed = append(failed, r)
			}
		}
	}
	if len(failed) > 0 {
		p("## Failed runs\n\n| server | cell | rep | status |\n|---|---|---|---|\n")
		for _, r := range failed {
			p("| %s | %s | %d | %s |\n", r.server, r.cell, r.rep, r.status)
		}
		p("\n")
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func main() {
	in := flag.String("in", "", "TSV written by bench/run.sh (required)")
	out := flag.String("out", "bench/RESULTS.md", "Markdown file to write (- for stdout)")
	metaPath := flag.String("meta", "", "metadata file (default: IN.meta)")
	baseline := flag.String("baseline", "c-try", "server the CPU-us per round trip ratios are relative to")
	brief := flag.Bool("brief", false, "print a short plain-text table to stdout instead (make demo)")
	notes := flag.String("notes", "", "Markdown file appended to the report as it is (analysis, before/after figures)")
	extra := flag.String("extra", "", "Markdown file appended after the notes (timers, syscalls, Go benchmarks)")
	httpMode := flag.Bool("http", false, "IN is bench/bench-http.sh's TSV: write the HTTP report (bench/RESULTS-http.md)")
	scaleMode := flag.Bool("scale", false, "IN is bench/bench-scale.sh's TSV: write the scale report (bench/RESULTS-scale.md)")
	flag.Parse()
	if *in == "" {
		fmt.Fprintln(os.Stderr, "report: -in is required")
		flag.Usage()
		os.Exit(2)
	}
	if *metaPath == "" {
		*metaPath = *in + ".meta"
	}
	f, err := os.Open(*in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	ds, err := parseTSV(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "report: %s: %v\n", *in, err)
		os.Exit(1)
	}
	meta, servers := readMeta(*metaPath)

	if *brief {
		writeBrief(os.Stdout, ds, *baseline)
		return
	}
	var b strings.Builder
	switch {
	case *httpMode:
		allocs, _ := os.ReadFile(*in + ".allocs")
		writeHTTP(&b, ds, meta, readMetaList(*metaPath, "cell"), servers, strings.Split(string(allocs), "\n"))
	case *scaleMode:
		writeScale(&b, ds, meta, servers)
	default:
		write(&b, ds, meta, servers, *baseline)
	}
	for _, path := range []string{*notes, *extra} {
		if path == "" {
			continue
		}
		text, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			os.Exit(1)
		}
		b.WriteString("\n")
		b.Write(text)
	}
	if *out == "-" {
		fmt.Print(b.String())
		return
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// writeBrief prints, per cell and server, the medians that make demo shows:
// round trips per second, p99 latency and server CPU time per round trip,
// with its ratio to the baseline server of the same cell.
func writeBrief(w io.Writer, ds *dataset, baseline string) {
	gs := ds.groups()
	fmt.Fprintf(w, "%-10s %-8s %12s %10s %12s %9s\n", "cell", "server", "rt/s", "p99 us", "CPU-us/rt", "vs "+baseline)
	for _, c := range ds.cells {
		base := gs[[2]string{c, baseline}]
		for _, s := range ds.servers {
			g := gs[[2]string{c, s}]
			if g == nil {
				continue
			}
			cpu := g.stat("server_cpu_us_per_rt")
			ratio := "-"
			if base != nil {
				if b := base.stat("server_cpu_us_per_rt"); b.n > 0 && b.med > 0 {
					ratio = fmt.Sprintf("%.2f", cpu.med/b.med)
				}
			}
			fmt.Fprintf(w, "%-10s %-8s %12s %10s %12s %9s\n", c, s, fmtRate(g.stat("rtps").med),
				fmtNum(g.stat("p99_us").med, 1), fmtNum(cpu.med, 2), ratio)
		}
	}
}
