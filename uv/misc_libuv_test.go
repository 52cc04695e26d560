package uv

import (
	"bufio"
	"errors"
	"net/netip"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// libuv's misc page (test-platform-output.c, test-get-memory.c, ...), each
// checked against what Linux and the Go standard library report.

// platform_output (test-platform-output.c): every query of the misc page
// answers on Linux, and agrees with the Go standard library and /proc.
func TestPlatformOutput(t *testing.T) {
	cwd, err := Cwd()
	require.NoError(t, err)
	gwd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, gwd, cwd)

	rss, err := ResidentSetMemory()
	require.NoError(t, err)
	assert.Greater(t, rss, uint64(1<<20), "a Go test binary is over 1 MiB resident")

	up, err := Uptime()
	require.NoError(t, err)
	assert.Positive(t, up)
	assert.InDelta(t, procUptime(t).Seconds(), up.Seconds(), 1.0)

	ru, err := Getrusage()
	require.NoError(t, err)
	var sru syscall.Rusage
	require.NoError(t, syscall.Getrusage(syscall.RUSAGE_SELF, &sru))
	assert.GreaterOrEqual(t, time.Duration(sru.Utime.Nano()), ru.Utime, "user time only grows")
	assert.GreaterOrEqual(t, time.Duration(sru.Stime.Nano()), ru.Stime, "system time only grows")
	assert.Positive(t, ru.Utime+ru.Stime)
	assert.GreaterOrEqual(t, uint64(sru.Maxrss), ru.MaxRSS)
	assert.Greater(t, ru.MaxRSS, uint64(1024), "MaxRSS is in KiB")

	assert.GreaterOrEqual(t, AvailableParallelism(), 1)
	assert.Equal(t, runtime.NumCPU(), AvailableParallelism(), "both count the affinity mask")

	cpus, err := CPUs()
	require.NoError(t, err)
	assert.Len(t, cpus, procStatCPUs(t))
	for _, c := range cpus {
		assert.NotEmpty(t, c.Model)
		assert.Positive(t, c.Times.User+c.Times.Sys+c.Times.Idle)
	}

	ifs, err := InterfaceAddresses()
	require.NoError(t, err)
	var lo bool
	for _, a := range ifs {
		assert.NotEmpty(t, a.Name)
		assert.True(t, a.Addr.IsValid())
		assert.Len(t, a.PhysAddr, 6)
		if a.Addr == netip.MustParseAddr("127.0.0.1") {
			lo = true
			assert.True(t, a.IsInternal)
			assert.Equal(t, netip.MustParsePrefix("127.0.0.1/8"), a.Prefix())
		}
	}
	assert.True(t, lo, "127.0.0.1 is among %v", ifs)

	pw, err := GetPasswd()
	require.NoError(t, err)
	assert.NotEmpty(t, pw.Username)

	assert.Equal(t, os.Getpid(), Getpid())
	assert.Equal(t, os.Getppid(), Getppid())
	// process_title is not bound (doc.go); the rest of platform_output is.
}

// procUptime reads /proc/uptime's first field.
func procUptime(t *testing.T) time.Duration {
	b, err := os.ReadFile("/proc/uptime")
	require.NoError(t, err)
	s, err := strconv.ParseFloat(strings.Fields(string(b))[0], 64)
	require.NoError(t, err)
	return time.Duration(s * float64(time.Second))
}

// procStatCPUs counts the cpuN lines of /proc/stat, which uv_cpu_info reads.
func procStatCPUs(t *testing.T) int {
	f, err := os.Open("/proc/stat")
	require.NoError(t, err)
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "cpu") && len(l) > 3 && l[3] >= '0' && l[3] <= '9' {
			n++
		}
	}
	return n
}

// meminfo returns a /proc/meminfo field in bytes.
func meminfo(t *testing.T, key string) uint64 {
	b, err := os.ReadFile("/proc/meminfo")
	require.NoError(t, err)
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == key+":" {
			n, err := strconv.ParseUint(f[1], 10, 64)
			require.NoError(t, err)
			return n * 1024
		}
	}
	t.Fatalf("no %s in /proc/meminfo", key)
	return 0
}

// get_memory (test-get-memory.c): free and total memory are positive and
// free is less than total; total is /proc/meminfo's MemTotal, free its
// MemAvailable (give or take what changed between the reads), and the
// constrained memory is the cgroup v1 limit when there is one (libuv 1.44
// reads no cgroup v2 file: 0 there).
func TestGetMemory(t *testing.T) {
	free, total := FreeMemory(), TotalMemory()
	assert.Positive(t, free)
	assert.Greater(t, total, free)
	assert.Equal(t, meminfo(t, "MemTotal"), total)
	assert.InDelta(t, float64(meminfo(t, "MemAvailable")), float64(free), float64(total)/20)

	want := uint64(0)
	if b, err := os.ReadFile("/sys/fs/cgroup/memory/memory.limit_in_bytes"); err == nil {
		want, err = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
		require.NoError(t, err)
	}
	assert.Equal(t, want, ConstrainedMemory())
}

// get_loadavg (test-get-loadavg.c): the three averages are not negative,
// and are /proc/loadavg's (read before and after, since they move every
// 5 s; the file rounds to 2 decimals).
func TestGetLoadavg(t *testing.T) {
	read := func() [3]float64 {
		b, err := os.ReadFile("/proc/loadavg")
		require.NoError(t, err)
		f := strings.Fields(string(b))
		var v [3]float64
		for i := range v {
			v[i], err = strconv.ParseFloat(f[i], 64)
			require.NoError(t, err)
		}
		return v
	}
	before := read()
	avg := LoadAvg()
	after := read()
	for i, v := range avg {
		assert.GreaterOrEqual(t, v, 0.0)
		near := func(w float64) bool { return v-w < 0.006 && w-v < 0.006 }
		assert.True(t, near(before[i]) || near(after[i]), "load %d: %v, /proc/loadavg %v then %v", i, v, before[i], after[i])
	}
}

// uname (test-uname.c): the fields are uname(2)'s, as syscall.Uname gives
// them.
func TestUname(t *testing.T) {
	u, err := Uname()
	require.NoError(t, err)
	var s syscall.Utsname
	require.NoError(t, syscall.Uname(&s))
	str := func(b [65]int8) string {
		var out []byte
		for _, c := range b {
			if c == 0 {
				break
			}
			out = append(out, byte(c))
		}
		return string(out)
	}
	assert.Equal(t, "Linux", u.Sysname)
	assert.Equal(t, str(s.Sysname), u.Sysname)
	assert.Equal(t, str(s.Release), u.Release)
	assert.Equal(t, str(s.Version), u.Version)
	assert.Equal(t, str(s.Machine), u.Machine)
	// uname(NULL) is EINVAL in libuv: the Go function has no pointer.
}

// gethostname (test-gethostname.c): the name is os.Hostname's; libuv's
// ENOBUFS sizing is hidden by the binding (sizedString grows its buffer).
func TestGethostname(t *testing.T) {
	h, err := Hostname()
	require.NoError(t, err)
	assert.NotEmpty(t, h)
	gh, err := os.Hostname()
	require.NoError(t, err)
	assert.Equal(t, gh, h)
}

// get_passwd (test-get-passwd.c): the entry is the effective user's, as
// os/user.Current and geteuid say; shell and home are set, the home has
// no trailing slash.
func TestGetPasswd(t *testing.T) {
	pw, err := GetPasswd()
	require.NoError(t, err)
	assert.NotEmpty(t, pw.Username)
	assert.NotEmpty(t, pw.Shell)
	require.NotEmpty(t, pw.Homedir)
	if len(pw.Homedir) > 1 {
		assert.NotEqual(t, byte('/'), pw.Homedir[len(pw.Homedir)-1])
	}
	assert.Equal(t, os.Geteuid(), pw.UID)
	if pw.UID != 0 && pw.GID != os.Getgid() {
		assert.Equal(t, os.Getegid(), pw.GID)
	}
	u, err := user.Current()
	require.NoError(t, err)
	assert.Equal(t, u.Username, pw.Username)
	assert.Equal(t, u.Uid, strconv.Itoa(pw.UID))
	assert.Equal(t, u.Gid, strconv.Itoa(pw.GID))
	assert.Equal(t, u.HomeDir, pw.Homedir)
}

// homedir (test-homedir.c): $HOME when set, as os.UserHomeDir; with HOME
// unset libuv falls back to the password file, where os.UserHomeDir fails.
// An empty HOME is returned as it is (libuv 1.44 checks only that it is
// set).
func TestHomedir(t *testing.T) {
	h, err := Homedir()
	require.NoError(t, err)
	require.NotEmpty(t, h)
	if len(h) > 1 {
		assert.NotEqual(t, byte('/'), h[len(h)-1])
	}
	if gh, err := os.UserHomeDir(); err == nil {
		assert.Equal(t, gh, h)
	}

	dir := t.TempDir()
	t.Setenv("HOME", dir) // os.Setenv: Go's copy and C's environ
	h, err = Homedir()
	require.NoError(t, err)
	assert.Equal(t, dir, h)

	require.NoError(t, os.Unsetenv("HOME")) // t.Setenv restores it
	h, err = Homedir()
	require.NoError(t, err)
	pw, err := GetPasswd()
	require.NoError(t, err)
	assert.Equal(t, pw.Homedir, h)
	_, err = os.UserHomeDir()
	assert.Error(t, err, "os.UserHomeDir without $HOME")

	t.Setenv("HOME", "")
	h, err = Homedir()
	require.NoError(t, err)
	assert.Equal(t, "", h)
}

// tmpdir (test-tmpdir.c): $TMPDIR without its trailing slash (os.TempDir
// keeps it), then $TMP, $TEMP, $TEMPDIR, then /tmp.
func TestTmpdir(t *testing.T) {
	for _, k := range []string{"TMPDIR", "TMP", "TEMP", "TEMPDIR"} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	d, err := Tmpdir()
	require.NoError(t, err)
	assert.Equal(t, "/tmp", d)
	assert.Equal(t, "/tmp", os.TempDir())

	dir := t.TempDir()
	t.Setenv("TEMPDIR", dir+"/")
	d, err = Tmpdir()
	require.NoError(t, err)
	assert.Equal(t, dir, d)
	assert.Equal(t, "/tmp", os.TempDir(), "os.TempDir reads $TMPDIR only")

	t.Setenv("TMPDIR", dir+"/")
	d, err = Tmpdir()
	require.NoError(t, err)
	assert.Equal(t, dir, d)
	assert.Equal(t, dir+"/", os.TempDir())
}

// cwd_and_chdir (test-cwd-and-chdir.c): Cwd is os.Getwd's directory, has
// no trailing slash, and Chdir to it and elsewhere changes what both
// report. A missing directory is ENOENT naming the path.
func TestCwdAndChdir(t *testing.T) {
	orig, err := Cwd()
	require.NoError(t, err)
	require.NotEmpty(t, orig)
	assert.NotEqual(t, byte('/'), orig[len(orig)-1])
	t.Cleanup(func() { require.NoError(t, os.Chdir(orig)) })

	require.NoError(t, Chdir(orig))
	again, err := Cwd()
	require.NoError(t, err)
	assert.Equal(t, orig, again)

	dir, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, Chdir(dir))
	now, err := Cwd()
	require.NoError(t, err)
	assert.Equal(t, dir, now)
	gwd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, dir, gwd)

	err = Chdir(filepath.Join(dir, "missing"))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "uv_chdir", e.Op)
	assert.Equal(t, filepath.Join(dir, "missing"), e.Path)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.ErrorIs(t, Chdir("a\x00b"), syscall.EINVAL)
}

// env_vars (test-env-vars.c): Setenv, Getenv, Unsetenv and Environ on the
// C environment. What Setenv sets, C's getenv sees and os.Getenv does not
// (Go keeps its own copy); what os.Setenv sets, both see.
func TestEnvVars(t *testing.T) {
	const name, name2 = "UV_TEST_FOO", "UV_TEST_FOO2"
	for _, n := range []string{name, name2} {
		t.Cleanup(func() { Unsetenv(n); os.Unsetenv(n) })
	}
	for _, bad := range []string{"", "A=B", "A\x00B"} {
		assert.ErrorIs(t, Setenv(bad, "foo"), EINVAL, "Setenv(%q)", bad)
		_, err := Getenv(bad)
		assert.ErrorIs(t, err, EINVAL, "Getenv(%q)", bad)
		assert.ErrorIs(t, Unsetenv(bad), EINVAL, "Unsetenv(%q)", bad)
	}
	assert.ErrorIs(t, Setenv(name, "a\x00b"), EINVAL)

	require.NoError(t, Setenv(name, "123456789"))
	v, err := Getenv(name)
	require.NoError(t, err)
	assert.Equal(t, "123456789", v)
	cv, ok := cGetenv(name)
	assert.True(t, ok)
	assert.Equal(t, "123456789", cv, "C's getenv sees Setenv")
	_, ok = os.LookupEnv(name)
	assert.False(t, ok, "Go's copy of the environment does not see Setenv")

	long := strings.Repeat("x", 1000) // more than sizedString's first buffer
	require.NoError(t, Setenv(name, long))
	v, err = Getenv(name)
	require.NoError(t, err)
	assert.Equal(t, long, v)

	require.NoError(t, Unsetenv(name))
	_, err = Getenv(name)
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, ENOENT, e.Code)
	assert.Equal(t, name, e.Path)
	_, ok = cGetenv(name)
	assert.False(t, ok)
	assert.NoError(t, Unsetenv(name), "unsetting a missing variable")

	require.NoError(t, Setenv(name, ""))
	v, err = Getenv(name)
	require.NoError(t, err, "an empty value is still set")
	assert.Equal(t, "", v)

	require.NoError(t, Setenv(name, "123456789"))
	require.NoError(t, Setenv(name2, ""))
	items, err := Environ()
	require.NoError(t, err)
	found := 0
	for _, it := range items {
		switch it.Name {
		case name:
			found++
			assert.Equal(t, "123456789", it.Value)
		case name2:
			found++
			assert.Equal(t, "", it.Value)
		}
	}
	assert.Equal(t, 2, found)

	// os.Setenv in a cgo program sets the C environment too.
	require.NoError(t, os.Setenv(name2, "from-go"))
	v, err = Getenv(name2)
	require.NoError(t, err)
	assert.Equal(t, "from-go", v)
	require.NoError(t, os.Unsetenv(name2))
	_, err = Getenv(name2)
	assert.ErrorIs(t, err, ENOENT)
}

// process_title: not bound; Go owns argv (doc.go, "Not bound").
// process_title_big_argv: not bound; Go owns argv (doc.go, "Not bound").
// process_title_threadsafe: not bound; Go owns argv (doc.go, "Not bound").

// process_priority (test-process-priority.c): every priority from highest
// to low can be set (EACCES where the user may not raise it) and reads
// back. On Linux a nice value belongs to a thread: pid 0 is the calling
// OS thread, so the test locks its goroutine to one, reads it back by
// thread ID too, and lets the thread exit with the test rather than give
// a lowered thread back to the scheduler.
func TestProcessPriority(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		tid := syscall.Gettid()
		for prio := PriorityHighest; prio <= PriorityLow; prio++ {
			err := Setpriority(0, prio)
			if errors.Is(err, syscall.EACCES) {
				continue
			}
			if !assert.NoError(t, err, "priority %d", prio) {
				continue
			}
			got, err := Getpriority(0)
			assert.NoError(t, err)
			assert.Equal(t, prio, got)
			got, err = Getpriority(tid)
			assert.NoError(t, err)
			assert.Equal(t, prio, got, "by thread ID")
			raw, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0)
			assert.NoError(t, err)
			assert.Equal(t, prio, 20-raw, "syscall.Getpriority's 20-nice form")
		}
		assert.ErrorIs(t, Setpriority(0, PriorityHighest-1), EINVAL)
		assert.ErrorIs(t, Setpriority(0, PriorityLow+1), EINVAL)
	}()
	<-done
	_, err := Getpriority(1 << 30)
	assert.ErrorIs(t, err, syscall.ESRCH)
}

// gettimeofday (test-gettimeofday.c): the time lies between two readings
// of time.Now, to the microsecond.
func TestGettimeofday(t *testing.T) {
	before := time.Now().Truncate(time.Microsecond)
	tv, err := Gettimeofday()
	require.NoError(t, err)
	after := time.Now()
	assert.False(t, tv.Before(before), "%v before %v", tv, before)
	assert.False(t, tv.After(after), "%v after %v", tv, after)
	assert.Zero(t, tv.Nanosecond()%1000)
}

// get_currentexe (test-get-currentexe.c): the path is the test binary's,
// as os.Executable and /proc/self/exe give it.
func TestGetCurrentexe(t *testing.T) {
	p, err := Exepath()
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(p))
	ge, err := os.Executable()
	require.NoError(t, err)
	assert.Equal(t, ge, p)
	link, err := os.Readlink("/proc/self/exe")
	require.NoError(t, err)
	assert.Equal(t, link, p)
}

// ip4_addr (test-ip4-addr.c): the binding takes netip addresses, so
// parsing is netip's: it accepts what uv_ip4_addr accepts and refuses
// what it refuses; the address survives the binding's conversion to a
// sockaddr and back, and a family other than IPv4 and IPv6 is
// EAFNOSUPPORT (fromAddr).
func TestIP4Addr(t *testing.T) {
	for _, s := range []string{"127.0.0.1", "255.255.255.255"} {
		a, err := netip.ParseAddr(s)
		require.NoError(t, err)
		ap := netip.AddrPortFrom(a, 9123)
		back, err := addrRoundTrip(ap)
		require.NoError(t, err)
		assert.Equal(t, ap, back)
		assert.Equal(t, s, back.Addr().String())
	}
	for _, s := range []string{"255.255.255*000", "255.255.255.256", "2555.0.0.0", "255"} {
		_, err := netip.ParseAddr(s)
		assert.Error(t, err, s)
	}
	_, err := addrRoundTrip(netip.AddrPort{})
	assert.ErrorIs(t, err, EINVAL)
	_, err = sockaddrFamilyRoundTrip(42)
	assert.ErrorIs(t, err, EAFNOSUPPORT)
}

// ip6_addr_link_local (test-ip6-addr.c): every link-local IPv6 address of
// InterfaceAddresses has its interface's index as zone; IfIndexToName and
// IfIndexToIID give the interface's name; the address with the name as
// zone converts to a sockaddr with that index as scope. An unknown index
// is an error.
func TestIP6AddrLinkLocal(t *testing.T) {
	ifs, err := InterfaceAddresses()
	require.NoError(t, err)
	for _, a := range ifs {
		if !a.Addr.Is6() || !a.Addr.IsLinkLocalUnicast() {
			continue
		}
		idx, err := strconv.ParseUint(a.Addr.Zone(), 10, 32)
		require.NoError(t, err, "zone of %v", a.Addr)
		name, err := IfIndexToName(uint32(idx))
		require.NoError(t, err)
		assert.Equal(t, a.Name, name)
		iid, err := IfIndexToIID(uint32(idx))
		require.NoError(t, err)
		assert.Equal(t, a.Name, iid)

		scoped := netip.AddrPortFrom(a.Addr.WithZone(iid), 9123)
		back, err := addrRoundTrip(scoped)
		require.NoError(t, err, "%v", scoped)
		assert.Equal(t, a.Addr.Zone(), back.Addr().Zone())
	}
	_, err = IfIndexToName(^uint32(0))
	assert.ErrorIs(t, err, syscall.ENXIO)
	name, err := IfIndexToName(1)
	require.NoError(t, err)
	assert.Equal(t, "lo", name)
}

// ip6_pton (test-ip6-addr.c): netip accepts the addresses uv_inet_pton
// accepts and refuses the ones it refuses; a zone the binding cannot
// resolve to an interface is EINVAL.
func TestIP6Pton(t *testing.T) {
	good := []string{"::", "::1", "fe80::1", "fe80::", "fe80::2acf:daff:fedd:342a",
		"fe80:0:0:0:2acf:daff:fedd:342a", "fe80:0:0:0:2acf:daff:1.2.3.4",
		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"}
	bad := []string{":::1", "abcde::1", "fe80:0:0:0:2acf:daff:fedd:342a:5678",
		"fe80:0:0:0:2acf:daff:abcd:1.2.3.4", "fe80:0:0:2acf:daff:1.2.3.4.5",
		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255.255"}
	for _, s := range good {
		for _, sfx := range []string{"", "%en1", "%lo"} {
			_, err := netip.ParseAddr(s + sfx)
			assert.NoError(t, err, s+sfx)
		}
		a := netip.MustParseAddr(s)
		back, err := addrRoundTrip(netip.AddrPortFrom(a, 1))
		require.NoError(t, err)
		assert.Equal(t, a, back.Addr())
	}
	for _, s := range bad {
		for _, sfx := range []string{"", "%en1"} {
			_, err := netip.ParseAddr(s + sfx)
			assert.Error(t, err, s+sfx)
		}
	}
	_, err := addrRoundTrip(netip.MustParseAddrPort("[fe80::1%no-such-if0]:1"))
	assert.ErrorIs(t, err, EINVAL)
	back, err := addrRoundTrip(netip.MustParseAddrPort("[fe80::1%lo]:1"))
	require.NoError(t, err)
	assert.Equal(t, "1", back.Addr().Zone(), "lo's index")
}

// ip_name (test-ip-name.c): the names of an IPv4 and an IPv6 address
// after the binding's conversion are the ones they were given.
func TestIPName(t *testing.T) {
	for _, s := range []string{"192.168.0.1", "fe80::2acf:daff:fedd:342a"} {
		back, err := addrRoundTrip(netip.AddrPortFrom(netip.MustParseAddr(s), 9123))
		require.NoError(t, err)
		assert.Equal(t, s, back.Addr().String())
	}
	_, err := sockaddrFamilyRoundTrip(syscall.AF_UNIX)
	assert.ErrorIs(t, err, EAFNOSUPPORT)
}

// The misc functions are safe from any goroutine: each is one libuv call
// on its own memory.
func TestMiscConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 50 {
				_, err := Hostname()
				assert.NoError(t, err)
				_, err = CPUs()
				assert.NoError(t, err)
				_, err = InterfaceAddresses()
				assert.NoError(t, err)
				_, err = GetPasswd()
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
}
