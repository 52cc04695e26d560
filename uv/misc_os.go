package uv

/*
#include "uvgo.h"

static uv_env_item_t* uvgo_env_at(uv_env_item_t* e, int i) { return e + i; }
*/
import "C"

import (
	"strings"
	"unsafe"
)

// Getpid returns the process's ID (uv_os_getpid), as os.Getpid does.
func Getpid() int { return int(C.uv_os_getpid()) }

// Getppid returns the parent process's ID (uv_os_getppid), as os.Getppid
// does.
func Getppid() int { return int(C.uv_os_getppid()) }

// Scheduling priorities for Setpriority (UV_PRIORITY_*): nice values, from
// PriorityHighest (-20) to PriorityLow (19). Lower is more favoured.
const (
	PriorityLow         = C.UV_PRIORITY_LOW
	PriorityBelowNormal = C.UV_PRIORITY_BELOW_NORMAL
	PriorityNormal      = C.UV_PRIORITY_NORMAL
	PriorityAboveNormal = C.UV_PRIORITY_ABOVE_NORMAL
	PriorityHigh        = C.UV_PRIORITY_HIGH
	PriorityHighest     = C.UV_PRIORITY_HIGHEST
)

// Getpriority returns the scheduling priority (nice value) of process pid,
// 0 meaning the caller (uv_os_getpriority). On Linux a nice value belongs
// to a thread, and pid 0 is the calling OS thread, which for a goroutine
// is whichever thread it runs on: lock it (runtime.LockOSThread) around
// Setpriority and Getpriority with pid 0, and pass a thread ID
// (syscall.Gettid) to name a thread. syscall.Getpriority returns the
// kernel's raw 20-nice form instead.
func Getpriority(pid int) (int, error) {
	var p C.int
	if err := check("uv_os_getpriority", int(C.uv_os_getpriority(C.uv_pid_t(pid), &p))); err != nil {
		return 0, err
	}
	return int(p), nil
}

// Setpriority sets the scheduling priority (nice value) of process pid, 0
// meaning the calling OS thread (uv_os_setpriority; see Getpriority). prio outside
// PriorityHighest..PriorityLow is EINVAL; raising the priority needs
// privilege (EACCES).
func Setpriority(pid, prio int) error {
	if prio < PriorityHighest || prio > PriorityLow {
		return &Error{Op: "uv_os_setpriority", Code: EINVAL, Detail: "priority out of range -20..19"}
	}
	return check("uv_os_setpriority", int(C.uv_os_setpriority(C.uv_pid_t(pid), C.int(prio))))
}

// Utsname is the system's identity (uv_utsname_t), as uname(2) gives it
// without the node and domain names: "Linux", "6.1.0-18-amd64",
// "#1 SMP PREEMPT_DYNAMIC ...", "x86_64".
type Utsname struct {
	Sysname, Release, Version, Machine string
}

// Uname returns the system's identity (uv_os_uname). syscall.Uname gives
// the same fields as byte arrays.
func Uname() (Utsname, error) {
	var u C.uv_utsname_t
	if err := check("uv_os_uname", int(C.uv_os_uname(&u))); err != nil {
		return Utsname{}, err
	}
	return Utsname{
		Sysname: C.GoString(&u.sysname[0]),
		Release: C.GoString(&u.release[0]),
		Version: C.GoString(&u.version[0]),
		Machine: C.GoString(&u.machine[0]),
	}, nil
}

// Passwd is the password-file entry of a user (uv_passwd_t).
type Passwd struct {
	Username string
	UID, GID int
	Shell    string
	Homedir  string
}

// GetPasswd returns the entry of the process's effective user
// (uv_os_get_passwd), from getpwuid_r. The C strings are freed before it
// returns (uv_os_free_passwd). os/user.Current gives the same user
// without the shell, and in a cgo build reads it the same way.
func GetPasswd() (Passwd, error) {
	var p C.uv_passwd_t
	if err := check("uv_os_get_passwd", int(C.uv_os_get_passwd(&p))); err != nil {
		return Passwd{}, err
	}
	defer C.uv_os_free_passwd(&p)
	return Passwd{
		Username: C.GoString(p.username),
		UID:      int(p.uid),
		GID:      int(p.gid),
		Shell:    C.GoString(p.shell),
		Homedir:  C.GoString(p.homedir),
	}, nil
}

// Homedir returns the user's home directory (uv_os_homedir): $HOME when
// it is set, even to "", otherwise the password file's entry. os.UserHomeDir
// reads only $HOME, and fails when it is unset or empty; libuv reads the C
// environment, os the Go one (Setenv says how they differ).
func Homedir() (string, error) {
	return sizedString("uv_os_homedir", func(b *C.char, n *C.size_t) C.int { return C.uv_os_homedir(b, n) })
}

// Tmpdir returns the temporary directory (uv_os_tmpdir): the first of
// $TMPDIR, $TMP, $TEMP and $TEMPDIR that is set, else "/tmp", without a
// trailing slash. os.TempDir reads only $TMPDIR (in the Go environment)
// and keeps a trailing slash.
func Tmpdir() (string, error) {
	return sizedString("uv_os_tmpdir", func(b *C.char, n *C.size_t) C.int { return C.uv_os_tmpdir(b, n) })
}

// Hostname returns the system's host name (uv_os_gethostname): the
// nodename of uname(2), as os.Hostname gives it.
func Hostname() (string, error) {
	return sizedString("uv_os_gethostname", func(b *C.char, n *C.size_t) C.int { return C.uv_os_gethostname(b, n) })
}

// Exepath returns the absolute path of the running executable
// (uv_exepath), read from /proc/self/exe, as os.Executable does; once the
// file has been deleted, libuv keeps the kernel's " (deleted)" suffix,
// which os.Executable strips.
func Exepath() (string, error) {
	return sizedString("uv_exepath", func(b *C.char, n *C.size_t) C.int { return C.uv_exepath(b, n) })
}

// Cwd returns the current working directory (uv_cwd). os.Getwd gives the
// same directory, but may answer with $PWD when that names it, where
// libuv always asks the kernel (getcwd).
func Cwd() (string, error) {
	return sizedString("uv_cwd", func(b *C.char, n *C.size_t) C.int { return C.uv_cwd(b, n) })
}

// Chdir changes the process's working directory (uv_chdir), as os.Chdir
// does: for every thread and goroutine, and for relative paths given to
// libuv and to Go alike.
func Chdir(dir string) error {
	cs, err := cArg("uv_chdir", dir)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cs))
	if r := C.uv_chdir(cs); r != 0 {
		return &Error{Op: "uv_chdir", Path: dir, Code: Errno(r)}
	}
	return nil
}

// EnvItem is one variable of the C environment (uv_env_item_t).
type EnvItem struct {
	Name, Value string
}

// Environ returns the C environment (uv_os_environ), in environ's order.
// os.Environ returns Go's copy instead, as "name=value" strings: see
// Setenv for how the two differ.
func Environ() ([]EnvItem, error) {
	var arr *C.uv_env_item_t
	var n C.int
	if err := check("uv_os_environ", int(C.uv_os_environ(&arr, &n))); err != nil {
		return nil, err
	}
	defer C.uv_os_free_environ(arr, n)
	out := make([]EnvItem, n)
	for i := range out {
		e := C.uvgo_env_at(arr, C.int(i))
		out[i] = EnvItem{Name: C.GoString(e.name), Value: C.GoString(e.value)}
	}
	return out, nil
}

// Getenv returns the value of the variable name in the C environment
// (uv_os_getenv): ENOENT when it is not set. See Setenv for how the C
// environment and os.Getenv's differ.
func Getenv(name string) (string, error) {
	cs, err := cEnvName("uv_os_getenv", name)
	if err != nil {
		return "", err
	}
	defer C.free(unsafe.Pointer(cs))
	v, err := sizedString("uv_os_getenv", func(b *C.char, n *C.size_t) C.int { return C.uv_os_getenv(cs, b, n) })
	if e, ok := err.(*Error); ok {
		e.Path = name
	}
	return v, err
}

// Setenv sets the variable name to value in the C environment
// (uv_os_setenv, setenv(3)), which libuv and the C libraries of the program
// read (getaddrinfo, iconv, TZ for localtime...). The Go runtime keeps a
// copy of the environment of its own, taken at start: os.Getenv and
// os.Environ do not see what Setenv sets, while os.Setenv, in a cgo
// program, sets both. Like setenv(3) it is not safe while another thread
// reads the C environment (a getaddrinfo on the thread pool, say): set
// variables before starting loops.
func Setenv(name, value string) error {
	cs, err := cEnvName("uv_os_setenv", name)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cs))
	cv, err := cArg("uv_os_setenv", value)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cv))
	if r := C.uv_os_setenv(cs, cv); r != 0 {
		return &Error{Op: "uv_os_setenv", Path: name, Code: Errno(r)}
	}
	return nil
}

// Unsetenv removes the variable name from the C environment
// (uv_os_unsetenv); removing one that is not set is no error. As with
// Setenv, Go's copy (os.Getenv) keeps it; os.Unsetenv removes it from both.
func Unsetenv(name string) error {
	cs, err := cEnvName("uv_os_unsetenv", name)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cs))
	if r := C.uv_os_unsetenv(cs); r != 0 {
		return &Error{Op: "uv_os_unsetenv", Path: name, Code: Errno(r)}
	}
	return nil
}

// cEnvName checks an environment variable's name, which setenv(3) refuses
// when empty or holding '=', and returns it as a C string.
func cEnvName(op, name string) (*C.char, error) {
	if name == "" || strings.ContainsRune(name, '=') {
		return nil, &Error{Op: op, Path: name, Code: EINVAL, Detail: "empty name or name with '='"}
	}
	return cArg(op, name)
}

// cArg returns s in C memory, to free with C.free; a NUL inside s,
// which C would cut the string at, is EINVAL.
func cArg(op, s string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, &Error{Op: op, Path: s, Code: EINVAL, Detail: "string holds a NUL byte"}
	}
	return C.CString(s), nil
}
