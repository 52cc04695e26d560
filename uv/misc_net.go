package uv

/*
#include "uvgo.h"
#include <sys/socket.h>

static uv_cpu_info_t* uvgo_cpu_at(uv_cpu_info_t* c, int i) { return c + i; }
static uv_interface_address_t* uvgo_ifaddr_at(uv_interface_address_t* a, int i) { return a + i; }
*/
import "C"

import (
	"net"
	"net/netip"
	"time"
	"unsafe"
)

// AvailableParallelism returns how many threads the program can use in
// parallel, at least 1 (uv_available_parallelism): the CPUs in the
// process's affinity mask. runtime.NumCPU counts the same mask, but only
// once, at start-up.
func AvailableParallelism() int { return int(C.uv_available_parallelism()) }

// CPUTimes is the time a CPU spent in each mode since boot
// (uv_cpu_times_s), with libuv's millisecond resolution.
type CPUTimes struct {
	User, Nice, Sys, Idle, IRQ time.Duration
}

// CPUInfo describes one logical CPU (uv_cpu_info_t).
type CPUInfo struct {
	Model string
	Speed int // MHz
	Times CPUTimes
}

// CPUs returns one CPUInfo per logical CPU of the system (uv_cpu_info),
// from /proc/stat and /proc/cpuinfo. The C array is freed before it
// returns (uv_free_cpu_info).
func CPUs() ([]CPUInfo, error) {
	var arr *C.uv_cpu_info_t
	var n C.int
	if err := check("uv_cpu_info", int(C.uv_cpu_info(&arr, &n))); err != nil {
		return nil, err
	}
	defer C.uv_free_cpu_info(arr, n)
	ms := func(v C.uint64_t) time.Duration { return time.Duration(v) * time.Millisecond }
	out := make([]CPUInfo, n)
	for i := range out {
		c := C.uvgo_cpu_at(arr, C.int(i))
		t := c.cpu_times
		out[i] = CPUInfo{
			Model: C.GoString(c.model),
			Speed: int(c.speed),
			Times: CPUTimes{User: ms(t.user), Nice: ms(t.nice), Sys: ms(t.sys), Idle: ms(t.idle), IRQ: ms(t.irq)},
		}
	}
	return out, nil
}

// InterfaceAddress is one address of a network interface
// (uv_interface_address_t). IPv6 link-local addresses carry their
// interface index as zone ("fe80::1%2"), as LocalAddr does.
type InterfaceAddress struct {
	Name       string           // the interface, "eth0"
	PhysAddr   net.HardwareAddr // 6 bytes, zero for loopback
	IsInternal bool             // a loopback interface
	Addr       netip.Addr
	Netmask    netip.Addr
}

// Prefix returns the address with its netmask as a prefix length,
// "10.0.0.5/24"; the zero Prefix when the mask is not a prefix.
func (a InterfaceAddress) Prefix() netip.Prefix {
	ones, bits := net.IPMask(a.Netmask.AsSlice()).Size()
	if bits == 0 {
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a.Addr, ones)
}

// InterfaceAddresses returns the addresses of the system's network
// interfaces that are up (uv_interface_addresses), from getifaddrs. The C
// array is freed before it returns (uv_free_interface_addresses).
// net.InterfaceAddrs gives the same addresses without interface names;
// net.Interfaces with Addrs gives them per interface.
func InterfaceAddresses() ([]InterfaceAddress, error) {
	var arr *C.uv_interface_address_t
	var n C.int
	if err := check("uv_interface_addresses", int(C.uv_interface_addresses(&arr, &n))); err != nil {
		return nil, err
	}
	defer C.uv_free_interface_addresses(arr, n)
	out := make([]InterfaceAddress, 0, n)
	for i := range int(n) {
		c := C.uvgo_ifaddr_at(arr, C.int(i))
		addr, err := fromAddr("uv_interface_addresses", C.uvgo_sockaddr((*C.struct_sockaddr)(unsafe.Pointer(&c.address))))
		if err != nil {
			continue // not an IP address
		}
		mask, _ := fromAddr("uv_interface_addresses", C.uvgo_sockaddr((*C.struct_sockaddr)(unsafe.Pointer(&c.netmask))))
		out = append(out, InterfaceAddress{
			Name:       C.GoString(c.name),
			PhysAddr:   C.GoBytes(unsafe.Pointer(&c.phys_addr[0]), 6),
			IsInternal: c.is_internal != 0,
			Addr:       addr.Addr(),
			Netmask:    mask.Addr().WithZone(""),
		})
	}
	return out, nil
}

// IfIndexToName returns the name of the network interface with index
// ifindex (uv_if_indextoname): "lo" for 1, usually. ENXIO when there is no
// such interface. net.InterfaceByIndex gives the same name.
func IfIndexToName(ifindex uint32) (string, error) {
	return sizedString("uv_if_indextoname", func(b *C.char, n *C.size_t) C.int {
		return C.uv_if_indextoname(C.uint(ifindex), b, n)
	})
}

// IfIndexToIID returns the interface identifier that goes after the % of
// a scoped IPv6 address for interface ifindex (uv_if_indextoiid). On
// Linux it is the interface's name, as IfIndexToName.
func IfIndexToIID(ifindex uint32) (string, error) {
	return sizedString("uv_if_indextoiid", func(b *C.char, n *C.size_t) C.int {
		return C.uv_if_indextoiid(C.uint(ifindex), b, n)
	})
}

// sizedString calls a libuv function that fills a buffer and its size
// (uv_cwd, uv_os_getenv...), growing the buffer while the function says
// ENOBUFS with the size it needs, and returns the string it wrote.
func sizedString(op string, f func(*C.char, *C.size_t) C.int) (string, error) {
	n := 256
	for {
		buf := make([]byte, n)
		size := C.size_t(n)
		r := f((*C.char)(unsafe.Pointer(&buf[0])), &size)
		if Errno(r) == ENOBUFS && int(size) >= n {
			n = int(size) + 1
			continue
		}
		if err := check(op, int(r)); err != nil {
			return "", err
		}
		return string(buf[:size]), nil
	}
}
