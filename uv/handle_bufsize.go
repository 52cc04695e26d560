package uv

/*
#include "uvgo.h"

static int uvgo_buffer_size(uv_handle_t* h, int send, int* value) {
  return send ? uv_send_buffer_size(h, value) : uv_recv_buffer_size(h, value);
}
*/
import "C"

import "math"

// The socket buffer sizes of the handle page (uv_send_buffer_size,
// uv_recv_buffer_size), for the handle types that have a socket: TCP, Pipe
// and UDP. libuv reads the size when passed 0 and sets it otherwise; gouv
// splits that in a getter and a setter, as net.TCPConn's SetReadBuffer and
// SetWriteBuffer set SO_RCVBUF and SO_SNDBUF. Linux doubles the value set
// (room for its bookkeeping) and reports the doubled value.

// bufferSize gets (set 0) or sets the send or receive buffer size of h.
func (h *handle) bufferSize(send bool, set int) (int, error) {
	op := "uv_recv_buffer_size"
	if send {
		op = "uv_send_buffer_size"
	}
	if err := h.live(); err != nil {
		return 0, err
	}
	h.loop.checkThread(op)
	v := C.int(set)
	s := C.int(0)
	if send {
		s = 1
	}
	if err := check(op, int(C.uvgo_buffer_size(h.hp(), s, &v))); err != nil {
		return 0, err
	}
	return int(v), nil
}

// setBufferSize sets the send or receive buffer size of h to n bytes.
func (h *handle) setBufferSize(send bool, n int) error {
	if n <= 0 || n > math.MaxInt32 {
		op := "uv_recv_buffer_size"
		if send {
			op = "uv_send_buffer_size"
		}
		return &Error{Op: op, Code: EINVAL, Detail: "size " + itoa(n) + " out of range"}
	}
	_, err := h.bufferSize(send, n)
	return err
}

// SendBufferSize returns the size of the socket's send buffer, SO_SNDBUF
// (uv_send_buffer_size with 0). EBADF before the handle has a socket.
func (t *TCP) SendBufferSize() (int, error) { return t.bufferSize(true, 0) }

// SetSendBufferSize sets the size of the socket's send buffer, SO_SNDBUF
// (uv_send_buffer_size), as net.TCPConn.SetWriteBuffer; n must be positive.
func (t *TCP) SetSendBufferSize(n int) error { return t.setBufferSize(true, n) }

// RecvBufferSize returns the size of the socket's receive buffer,
// SO_RCVBUF (uv_recv_buffer_size with 0). EBADF before the handle has a
// socket.
func (t *TCP) RecvBufferSize() (int, error) { return t.bufferSize(false, 0) }

// SetRecvBufferSize sets the size of the socket's receive buffer,
// SO_RCVBUF (uv_recv_buffer_size), as net.TCPConn.SetReadBuffer; n must be
// positive.
func (t *TCP) SetRecvBufferSize(n int) error { return t.setBufferSize(false, n) }

// SendBufferSize returns the size of the socket's send buffer, SO_SNDBUF
// (uv_send_buffer_size with 0). EBADF before the handle has a socket.
func (u *UDP) SendBufferSize() (int, error) { return u.bufferSize(true, 0) }

// SetSendBufferSize sets the size of the socket's send buffer, SO_SNDBUF
// (uv_send_buffer_size), as net.UDPConn.SetWriteBuffer; n must be positive.
func (u *UDP) SetSendBufferSize(n int) error { return u.setBufferSize(true, n) }

// RecvBufferSize returns the size of the socket's receive buffer,
// SO_RCVBUF (uv_recv_buffer_size with 0). EBADF before the handle has a
// socket.
func (u *UDP) RecvBufferSize() (int, error) { return u.bufferSize(false, 0) }

// SetRecvBufferSize sets the size of the socket's receive buffer,
// SO_RCVBUF (uv_recv_buffer_size), as net.UDPConn.SetReadBuffer; n must be
// positive.
func (u *UDP) SetRecvBufferSize(n int) error { return u.setBufferSize(false, n) }

// SendBufferSize returns the size of the socket's send buffer, SO_SNDBUF
// (uv_send_buffer_size with 0). EBADF before the handle has a socket.
func (p *Pipe) SendBufferSize() (int, error) { return p.bufferSize(true, 0) }

// SetSendBufferSize sets the size of the socket's send buffer, SO_SNDBUF
// (uv_send_buffer_size), as net.UnixConn.SetWriteBuffer; n must be
// positive.
func (p *Pipe) SetSendBufferSize(n int) error { return p.setBufferSize(true, n) }

// RecvBufferSize returns the size of the socket's receive buffer,
// SO_RCVBUF (uv_recv_buffer_size with 0). EBADF before the handle has a
// socket.
func (p *Pipe) RecvBufferSize() (int, error) { return p.bufferSize(false, 0) }

// SetRecvBufferSize sets the size of the socket's receive buffer,
// SO_RCVBUF (uv_recv_buffer_size), as net.UnixConn.SetReadBuffer; n must
// be positive.
func (p *Pipe) SetRecvBufferSize(n int) error { return p.setBufferSize(false, n) }
