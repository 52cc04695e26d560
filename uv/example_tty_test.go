package uv_test

import (
	"fmt"
	"log"
	"os"
	"strconv"
	"syscall"
	"unsafe"

	"github.com/gouv/gouv/uv"
)

// A TTY handle on a terminal: its window size, and a line written to it.
// The terminal here is a new pseudo-terminal whose other end the example
// reads (openPTY: /dev/ptmx and two ioctls); a program would pass its fd
// 0, 1 or 2. The terminal turns "\n" into "\r\n".
func ExampleTTY() {
	master, slave, err := openPTY(80, 24)
	if err != nil {
		log.Fatal(err)
	}
	defer master.Close()
	defer slave.Close()

	l, err := uv.NewLoop()
	if err != nil {
		log.Fatal(err)
	}
	tty, err := uv.NewTTY(l, int(slave.Fd()), false)
	if err != nil {
		log.Fatal(err)
	}
	w, h, err := tty.WinSize()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%dx%d\n", w, h)
	err = tty.Write([]byte("hello\n"), func(err error) {
		if err != nil {
			log.Print(err)
		}
		tty.Close(nil)
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := l.Run(uv.RunDefault); err != nil {
		log.Fatal(err)
	}
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}

	buf := make([]byte, 64)
	n, err := master.Read(buf)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", buf[:n])
	// Output:
	// 80x24
	// "hello\r\n"
}

// openPTY opens a pseudo-terminal of the given size and returns its master
// and slave ends.
func openPTY(cols, rows uint16) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	ioctl := func(req uintptr, arg unsafe.Pointer) error {
		rc, err := master.SyscallConn()
		if err != nil {
			return err
		}
		var errno syscall.Errno
		if err := rc.Control(func(fd uintptr) {
			_, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
		}); err != nil {
			return err
		}
		if errno != 0 {
			return errno
		}
		return nil
	}
	var unlock int32
	var n uint32
	ws := struct{ row, col, xpixel, ypixel uint16 }{row: rows, col: cols}
	if err = ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err == nil {
		err = ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n))
	}
	if err == nil {
		err = ioctl(syscall.TIOCSWINSZ, unsafe.Pointer(&ws))
	}
	if err == nil {
		slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|syscall.O_NOCTTY, 0)
	}
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	return master, slave, nil
}
