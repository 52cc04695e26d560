package main

import (
	"math"
	"strings"
	"testing"
)

const sampleTSV = "server\tcell\trep\tcpus\tstatus\trtps\tp50_us\tp99_us\tserver_cpu_us_per_rt\tserver_cpu_src\tserver_cpu_frac\tclient_cpu_frac\tsys_busy_cores\n" +
	"c-try\t1x64\t1\t0\tok\t100\t10\t20\t4.0\tschedstat\t0.5\t0.5\t1.0\n" +
	"gnet\t1x64\t1\t0\tok\t90\t11\t22\t6.0\tschedstat\t0.6\t0.4\t1.5\n" +
	"c-try\t1x64\t2\t0\tok\t120\t10\t20\t2.0\tschedstat\t0.5\t0.5\t1.0\n" +
	"gnet\t1x64\t2\t0\tloadgen-rc1\tNA\tNA\tNA\tNA\tNA\tNA\tNA\tNA\n"

func TestSummarize(t *testing.T) {
	s := summarize([]float64{3, 1, 2, 10})
	if s.med != 2.5 || s.min != 1 || s.max != 10 || s.n != 4 {
		t.Fatalf("summarize = %+v", s)
	}
	if s := summarize(nil); !math.IsNaN(s.med) || s.n != 0 {
		t.Fatalf("summarize(nil) = %+v", s)
	}
}

func TestReport(t *testing.T) {
	ds, err := parseTSV(strings.NewReader(sampleTSV))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.runs) != 4 || len(ds.cells) != 1 || len(ds.servers) != 2 {
		t.Fatalf("parsed %d runs, cells %v, servers %v", len(ds.runs), ds.cells, ds.servers)
	}
	g := ds.groups()[[2]string{"1x64", "gnet"}]
	if g.ok != 1 || g.total != 2 {
		t.Fatalf("gnet group ok=%d total=%d", g.ok, g.total)
	}
	if other := g.stat(otherLoad); math.Abs(other.med-0.5) > 1e-9 {
		t.Fatalf("other load = %v, want 0.5", other.med)
	}
	var b strings.Builder
	write(&b, ds, map[string]string{"nproc": "2"}, []string{"c-try|0|C"}, "c-try")
	out := b.String()
	// c-try median CPU-us/rt is 3.00; gnet's 6.00 is twice that.
	for _, want := range []string{"| c-try | 3.00 (1.00) |", "| gnet | 6.00 (2.00) |", "3.00 (2.00–4.00)", "| gnet | 1x64 | 2 | loadgen-rc1 |", "110 (100–120)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
