//go:build !linux

package udp

import (
	"errors"
	"net"
	"syscall"
)

// oobSize is 0: kernel drops are reported on Linux only.
const oobSize = 0

// newBatchReader returns a function that reads one datagram per call into
// ms[0].
func newBatchReader(c *net.UDPConn, ms []message) (func() (int, error), error) {
	m := &ms[0]
	return func() (int, error) {
		n, _, _, ap, err := c.ReadMsgUDPAddrPort(m.buf, nil)
		if err != nil {
			return 0, err
		}
		m.n, m.nn, m.trunc, m.src = n, 0, false, ap.Addr().Unmap().WithZone("")
		return 1, nil
	}, nil
}

// controlFunc refuses several readers (SO_REUSEPORT is used on Linux
// only) and sets the receive buffer through the net package.
func controlFunc(reusePort bool, _ int) func(network, address string, c syscall.RawConn) error {
	return func(string, string, syscall.RawConn) error {
		if reusePort {
			return errors.New("readers > 1 needs Linux (SO_REUSEPORT)")
		}
		return nil
	}
}

// receiveBuffer returns -1: the size cannot be read back outside Linux.
func receiveBuffer(*net.UDPConn) (int, error) { return -1, nil }

// socketDrops is not available outside Linux.
func socketDrops(*net.UDPConn) (uint32, bool) { return 0, false }

// dropsFromOOB is not available outside Linux.
func dropsFromOOB([]byte) (uint32, bool) { return 0, false }
