//go:build unix

package sender

import (
	"net"
	"syscall"
)

// peerClosed reports whether the peer has closed the connection (a
// non-blocking peek reads end of file), so the next record goes to a new
// connection instead of into a socket that only fails on the write after.
func peerClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	var buf [1]byte
	_ = rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n == 0 && err == nil || err == syscall.ECONNRESET
		return true
	})
	return closed
}

// refusedNow reports (and clears) a pending "connection refused" on a
// connected UDP socket: on loopback the ICMP port-unreachable for the
// datagram just written is already queued when the write returns.
func refusedNow(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	refused := false
	_ = rc.Control(func(fd uintptr) {
		v, err := syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_ERROR)
		refused = err == nil && syscall.Errno(v) == syscall.ECONNREFUSED
	})
	return refused
}
