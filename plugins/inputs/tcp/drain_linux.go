package tcp

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// queuedBytes returns the bytes received by the kernel and not yet read
// on conn (SIOCINQ), or -1 when it cannot tell.
func queuedBytes(conn net.Conn) int {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	n := -1
	_ = raw.Control(func(fd uintptr) {
		if v, err := unix.IoctlGetInt(int(fd), unix.SIOCINQ); err == nil {
			n = v
		}
	})
	return n
}
