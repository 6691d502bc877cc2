//go:build linux

package udp

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// oobSize is the room for ancillary data per datagram: enough for the
// control message SO_RXQ_OVFL adds (a header and a uint32) on any
// architecture.
const oobSize = 64

// mmsghdr is struct mmsghdr of recvmmsg(2); Go pads it as C does.
type mmsghdr struct {
	hdr unix.Msghdr
	len uint32
}

// batchReader reads datagrams into its messages with recvmmsg(2), without
// allocating.
type batchReader struct {
	rc    syscall.RawConn
	ms    []message
	hs    []mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6 // room for an IPv4 or IPv6 address
}

// newBatchReader returns a function that reads up to len(ms) datagrams
// into ms in one recvmmsg call, waiting (through the runtime's poller,
// so read deadlines apply) until there is at least one.
func newBatchReader(c *net.UDPConn, ms []message) (func() (int, error), error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return nil, fmt.Errorf("raw socket: %w", err)
	}
	r := &batchReader{rc: rc, ms: ms, hs: make([]mmsghdr, len(ms)), iovs: make([]unix.Iovec, len(ms)),
		names: make([]unix.RawSockaddrInet6, len(ms))}
	for i := range ms {
		r.iovs[i].Base = &ms[i].buf[0]
		r.iovs[i].SetLen(len(ms[i].buf))
		h := &r.hs[i].hdr
		h.Name = (*byte)(unsafe.Pointer(&r.names[i]))
		h.Iov = &r.iovs[i]
		h.SetIovlen(1)
		if len(ms[i].oob) > 0 {
			h.Control = &ms[i].oob[0]
		}
	}
	return r.read, nil
}

func (r *batchReader) read() (int, error) {
	for i := range r.hs {
		h := &r.hs[i].hdr
		h.Namelen = unix.SizeofSockaddrInet6
		h.SetControllen(len(r.ms[i].oob))
		h.Flags = 0
		r.hs[i].len = 0
	}
	var n int
	var errno syscall.Errno
	err := r.rc.Read(func(fd uintptr) bool {
		for {
			r1, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hs[0])), uintptr(len(r.hs)),
				unix.MSG_DONTWAIT, 0, 0)
			switch e {
			case unix.EINTR:
				continue
			case unix.EAGAIN:
				return false // wait until the socket is readable
			}
			n, errno = int(r1), e
			return true
		}
	})
	if err != nil {
		return 0, err
	}
	if errno != 0 {
		return 0, os.NewSyscallError("recvmmsg", errno)
	}
	for i := range r.hs[:n] {
		m, h := &r.ms[i], &r.hs[i]
		m.n = min(int(h.len), len(m.buf))
		m.nn = int(h.hdr.Controllen)
		m.trunc = h.hdr.Flags&unix.MSG_TRUNC != 0
		m.src = sockaddrIP(&r.names[i], h.hdr.Namelen)
	}
	return n, nil
}

// sockaddrIP returns the IP address in a struct sockaddr the kernel filled
// in (an IPv4-mapped IPv6 address as IPv4).
func sockaddrIP(sa *unix.RawSockaddrInet6, n uint32) netip.Addr {
	switch sa.Family {
	case unix.AF_INET:
		if n >= unix.SizeofSockaddrInet4 {
			sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
			return netip.AddrFrom4(sa4.Addr)
		}
	case unix.AF_INET6:
		if n >= unix.SizeofSockaddrInet6 {
			return netip.AddrFrom16(sa.Addr).Unmap()
		}
	}
	return netip.Addr{}
}

// controlFunc sets the socket options that must precede bind: SO_REUSEPORT
// for several readers on one address, the receive buffer, and SO_RXQ_OVFL
// so that each datagram tells how many the socket has dropped so far.
func controlFunc(reusePort bool, rcvbuf int) func(network, address string, c syscall.RawConn) error {
	return func(_, _ string, c syscall.RawConn) error {
		var err error
		cerr := c.Control(func(fd uintptr) {
			if reusePort {
				if err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1); err != nil {
					err = fmt.Errorf("set SO_REUSEPORT: %w", err)
					return
				}
			}
			if rcvbuf > 0 {
				if err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF, rcvbuf); err != nil {
					err = fmt.Errorf("set SO_RCVBUF: %w", err)
					return
				}
			}
			if err = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1); err != nil {
				err = fmt.Errorf("set SO_RXQ_OVFL: %w", err)
			}
		})
		if cerr != nil {
			return cerr
		}
		return err
	}
}

// receiveBuffer returns the socket's usable receive buffer. Linux reports
// twice what was asked for (the other half is its bookkeeping), so the
// reported size is halved to compare with receive_buffer_bytes.
func receiveBuffer(c *net.UDPConn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("receive buffer: %w", err)
	}
	var size int
	cerr := rc.Control(func(fd uintptr) {
		size, err = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
	})
	if cerr != nil {
		return 0, fmt.Errorf("receive buffer: %w", cerr)
	}
	if err != nil {
		return 0, fmt.Errorf("get SO_RCVBUF: %w", err)
	}
	return size / 2, nil
}

// socketDrops returns the socket's cumulative count of datagrams dropped
// by the kernel (SO_MEMINFO's SK_MEMINFO_DROPS).
func socketDrops(c *net.UDPConn) (uint32, bool) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, false
	}
	var mem [unix.SK_MEMINFO_VARS]uint32
	size := uint32(unsafe.Sizeof(mem))
	var errno syscall.Errno
	cerr := rc.Control(func(fd uintptr) {
		_, _, errno = unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
			uintptr(unsafe.Pointer(&mem[0])), uintptr(unsafe.Pointer(&size)), 0)
	})
	if cerr != nil || errno != 0 || size < (unix.SK_MEMINFO_DROPS+1)*4 {
		return 0, false
	}
	return mem[unix.SK_MEMINFO_DROPS], true
}

// dropsFromOOB finds the SO_RXQ_OVFL control message in a datagram's
// ancillary data: the socket's drop count when the datagram was queued.
// The kernel adds it once the socket has dropped anything.
func dropsFromOOB(oob []byte) (uint32, bool) {
	hdr := unix.CmsgLen(0)
	for len(oob) >= hdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		l := int(h.Len)
		if l < hdr || l > len(oob) {
			return 0, false
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SO_RXQ_OVFL && l >= hdr+4 {
			return *(*uint32)(unsafe.Pointer(&oob[hdr])), true
		}
		next := unix.CmsgSpace(l - hdr)
		if next > len(oob) {
			return 0, false
		}
		oob = oob[next:]
	}
	return 0, false
}
