package uv

/*
#include "uvgo.h"
*/
import "C"

import (
	"os"
	"syscall"
	"time"
)

// Stat is a file's status as libuv reports it (uv_stat_t), with Go types:
// Mode is an os.FileMode (type bits and permissions, as os.Stat gives) and
// the times are time.Time. FSPoll's callback and the fs requests return it.
//
// https://docs.libuv.org/en/v1.x/fs.html#c.uv_stat_t
type Stat struct {
	Dev, Ino, Nlink, UID, GID, Rdev uint64
	Mode                            os.FileMode
	RawMode                         uint32 // st_mode as the system gives it
	Size, BlkSize, Blocks           int64
	Flags, Gen                      uint64
	Atime, Mtime, Ctime, Birthtime  time.Time
}

// IsDir reports whether the file is a directory.
func (s *Stat) IsDir() bool { return s.Mode.IsDir() }

// statFromC converts a uv_stat_t. It copies every field, so the C struct
// may be freed once it returns.
func statFromC(c *C.uv_stat_t) Stat {
	return Stat{
		Dev:       uint64(c.st_dev),
		Ino:       uint64(c.st_ino),
		Nlink:     uint64(c.st_nlink),
		UID:       uint64(c.st_uid),
		GID:       uint64(c.st_gid),
		Rdev:      uint64(c.st_rdev),
		Mode:      fileMode(uint32(c.st_mode)),
		RawMode:   uint32(c.st_mode),
		Size:      int64(c.st_size),
		BlkSize:   int64(c.st_blksize),
		Blocks:    int64(c.st_blocks),
		Flags:     uint64(c.st_flags),
		Gen:       uint64(c.st_gen),
		Atime:     timespec(c.st_atim),
		Mtime:     timespec(c.st_mtim),
		Ctime:     timespec(c.st_ctim),
		Birthtime: timespec(c.st_birthtim),
	}
}

func timespec(t C.uv_timespec_t) time.Time {
	if t.tv_sec == 0 && t.tv_nsec == 0 {
		return time.Time{}
	}
	return time.Unix(int64(t.tv_sec), int64(t.tv_nsec))
}

// fileMode converts a Unix st_mode to an os.FileMode, as os.Stat does.
func fileMode(m uint32) os.FileMode {
	mode := os.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFBLK:
		mode |= os.ModeDevice
	case syscall.S_IFCHR:
		mode |= os.ModeDevice | os.ModeCharDevice
	case syscall.S_IFDIR:
		mode |= os.ModeDir
	case syscall.S_IFIFO:
		mode |= os.ModeNamedPipe
	case syscall.S_IFLNK:
		mode |= os.ModeSymlink
	case syscall.S_IFSOCK:
		mode |= os.ModeSocket
	}
	if m&syscall.S_ISGID != 0 {
		mode |= os.ModeSetgid
	}
	if m&syscall.S_ISUID != 0 {
		mode |= os.ModeSetuid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= os.ModeSticky
	}
	return mode
}
