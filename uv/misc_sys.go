package uv

/*
#include "uvgo.h"
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

// Prints the loop's handles (all, or the active ones only) to a duplicate
// of fd through a FILE* of its own, flushed and closed before it returns.
static int uvgo_print_handles(uv_loop_t* loop, int fd, int active) {
  FILE* f;
  int err;
  int dfd = dup(fd);
  if (dfd < 0)
    return -errno;
  f = fdopen(dfd, "w");
  if (f == NULL) {
    err = -errno;
    close(dfd);
    return err;
  }
  if (active)
    uv_print_active_handles(loop, f);
  else
    uv_print_all_handles(loop, f);
  return fclose(f) == 0 ? 0 : -errno;
}
*/
import "C"

import (
	"os"
	"time"
)

// FreeMemory returns the memory the system has available, in bytes
// (uv_get_free_memory). On Linux it is MemAvailable of /proc/meminfo.
func FreeMemory() uint64 { return uint64(C.uv_get_free_memory()) }

// TotalMemory returns the system's memory, in bytes (uv_get_total_memory).
// On Linux it is MemTotal of /proc/meminfo.
func TotalMemory() uint64 { return uint64(C.uv_get_total_memory()) }

// ConstrainedMemory returns the memory limit the system puts on the
// process, in bytes (uv_get_constrained_memory): the cgroup's limit, or 0
// when there is none or it is unknown. The Go runtime's own soft limit
// (runtime/debug.SetMemoryLimit) is a different thing.
func ConstrainedMemory() uint64 { return uint64(C.uv_get_constrained_memory()) }

// ResidentSetMemory returns the process's resident set size in bytes
// (uv_resident_set_memory).
func ResidentSetMemory() (uint64, error) {
	var rss C.size_t
	if err := check("uv_resident_set_memory", int(C.uv_resident_set_memory(&rss))); err != nil {
		return 0, err
	}
	return uint64(rss), nil
}

// Uptime returns how long the system has been up (uv_uptime), with the
// resolution of /proc/uptime.
func Uptime() (time.Duration, error) {
	var s C.double
	if err := check("uv_uptime", int(C.uv_uptime(&s))); err != nil {
		return 0, err
	}
	return time.Duration(float64(s) * float64(time.Second)), nil
}

// LoadAvg returns the system's 1, 5 and 15 minute load averages
// (uv_loadavg), the first three fields of /proc/loadavg.
func LoadAvg() [3]float64 {
	var avg [3]C.double
	C.uv_loadavg(&avg[0])
	return [3]float64{float64(avg[0]), float64(avg[1]), float64(avg[2])}
}

// Rusage is the process's resource usage (uv_rusage_t), as
// getrusage(RUSAGE_SELF) reports it: syscall.Getrusage gives the same
// numbers in the kernel's struct.
type Rusage struct {
	Utime, Stime   time.Duration // user and system CPU time
	MaxRSS         uint64        // largest resident set size, in KiB
	IxRSS          uint64        // integral shared memory size
	IdRSS          uint64        // integral unshared data size
	IsRSS          uint64        // integral unshared stack size
	MinFlt, MajFlt uint64        // soft and hard page faults
	NSwap          uint64        // swaps
	InBlock        uint64        // block input operations
	OuBlock        uint64        // block output operations
	MsgSnd, MsgRcv uint64        // IPC messages sent and received
	NSignals       uint64        // signals received
	NVCSw, NIVCSw  uint64        // voluntary and involuntary context switches
}

// Getrusage returns the process's resource usage (uv_getrusage).
func Getrusage() (Rusage, error) {
	var r C.uv_rusage_t
	if err := check("uv_getrusage", int(C.uv_getrusage(&r))); err != nil {
		return Rusage{}, err
	}
	tv := func(t C.uv_timeval_t) time.Duration {
		return time.Duration(t.tv_sec)*time.Second + time.Duration(t.tv_usec)*time.Microsecond
	}
	return Rusage{
		Utime: tv(r.ru_utime), Stime: tv(r.ru_stime),
		MaxRSS: uint64(r.ru_maxrss), IxRSS: uint64(r.ru_ixrss),
		IdRSS: uint64(r.ru_idrss), IsRSS: uint64(r.ru_isrss),
		MinFlt: uint64(r.ru_minflt), MajFlt: uint64(r.ru_majflt),
		NSwap: uint64(r.ru_nswap), InBlock: uint64(r.ru_inblock),
		OuBlock: uint64(r.ru_oublock), MsgSnd: uint64(r.ru_msgsnd),
		MsgRcv: uint64(r.ru_msgrcv), NSignals: uint64(r.ru_nsignals),
		NVCSw: uint64(r.ru_nvcsw), NIVCSw: uint64(r.ru_nivcsw),
	}, nil
}

// Gettimeofday returns the wall-clock time (uv_gettimeofday), to the
// microsecond. time.Now gives the same clock, to the nanosecond, with a
// monotonic reading besides.
func Gettimeofday() (time.Time, error) {
	var tv C.uv_timeval64_t
	if err := check("uv_gettimeofday", int(C.uv_gettimeofday(&tv))); err != nil {
		return time.Time{}, err
	}
	return time.Unix(int64(tv.tv_sec), int64(tv.tv_usec)*1000), nil
}

// Sleep blocks the calling OS thread for d, in whole milliseconds
// (uv_sleep). Unlike time.Sleep it holds the thread, and the loop too when
// called on the loop's goroutine: prefer time.Sleep, or a Timer on a loop.
// A negative d sleeps 0 ms.
func Sleep(d time.Duration) {
	ms := d.Milliseconds()
	if ms < 0 {
		ms = 0
	}
	if ms > 1<<32-1 {
		ms = 1<<32 - 1
	}
	C.uv_sleep(C.uint(ms))
}

// TypeFile is what GuessHandle returns for a regular file (UV_FILE); it
// is not a handle type of its own.
const TypeFile HandleType = C.UV_FILE

// GuessHandle returns the kind of handle fd would make (uv_guess_handle):
// TypeTCP or TypeUDP for sockets, TypeNamedPipe for pipes and unix
// sockets, TypeTTY for terminals, TypeFile for files and character
// devices, TypeUnknown for anything else or a bad fd.
func GuessHandle(fd int) HandleType {
	if fd < 0 || fd > 1<<31-1 {
		return TypeUnknown
	}
	return HandleType(C.uv_guess_handle(C.uv_file(fd)))
}

// PrintAllHandles writes every handle of the loop to f, one a line, as
// "[RAI] type address" with flags for referenced, active and internal
// (uv_print_all_handles): a debugging aid. The binding's own handles are
// listed too: the Post wake-up (async), the yield prepare, the deferred
// idle and the timer queue's timer, which is the one that is active while
// Timers are started (a Timer's own uv_timer_t is never started: the
// binding keeps the schedule). Call it on the loop's goroutine.
func (l *Loop) PrintAllHandles(f *os.File) error {
	return l.printHandles("Loop.PrintAllHandles", "uv_print_all_handles", f, 0)
}

// PrintActiveHandles is PrintAllHandles for the active handles only
// (uv_print_active_handles).
func (l *Loop) PrintActiveHandles(f *os.File) error {
	return l.printHandles("Loop.PrintActiveHandles", "uv_print_active_handles", f, 1)
}

func (l *Loop) printHandles(method, op string, f *os.File, active C.int) error {
	if err := l.usable(); err != nil {
		return err
	}
	l.checkThread(method)
	if f == nil {
		return &Error{Op: op, Code: EINVAL, Detail: "nil *os.File"}
	}
	sc, err := f.SyscallConn()
	if err != nil {
		return &Error{Op: op, Code: EBADF, Detail: err.Error()}
	}
	var r C.int
	if cerr := sc.Control(func(fd uintptr) { r = C.uvgo_print_handles(l.ptr, C.int(fd), active) }); cerr != nil {
		return &Error{Op: op, Code: EBADF, Detail: cerr.Error()}
	}
	return check(op, int(r))
}
