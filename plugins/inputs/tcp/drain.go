package tcp

import (
	"net"
	"sync/atomic"
	"time"
)

// stopDrain bounds how long a connection waits for more bytes after the
// input is told to stop, once what was queued at the stop has been read.
const stopDrain = 250 * time.Millisecond

// drainer keeps reading a connection after the input is told to stop, for
// what the peer had already sent: the bytes queued in the kernel at that
// moment (SIOCINQ) are read however long the pipeline takes to accept
// them (back-pressure does not count against the drain), then the
// connection gets stopDrain of quiet before it is closed. Bytes still
// unread at the close are counted and reported, never dropped silently.
type drainer struct {
	conn net.Conn // the TCP connection, for SIOCINQ and deadlines

	stopping   atomic.Bool
	pending    atomic.Int64 // bytes queued at the stop; -1 unknown
	read       atomic.Int64 // bytes read from conn so far
	readAtStop atomic.Int64
}

// begin is called once when the input stops.
func (d *drainer) begin() {
	d.readAtStop.Store(d.read.Load())
	d.pending.Store(int64(queuedBytes(d.conn)))
	d.stopping.Store(true)
	_ = d.conn.SetReadDeadline(time.Now().Add(stopDrain))
}

// afterRead re-arms the deadline while the bytes queued at the stop are
// not all read yet: the time spent handing events to the pipeline must
// not end the drain.
func (d *drainer) afterRead() {
	if !d.stopping.Load() {
		return
	}
	if p := d.pending.Load(); p > 0 && d.read.Load()-d.readAtStop.Load() < p {
		_ = d.conn.SetReadDeadline(time.Now().Add(stopDrain))
	}
}

// unread returns the bytes left in the kernel's queue at the close of a
// connection drained after a stop (0 when not stopping or unknown).
func (d *drainer) unread() int {
	if !d.stopping.Load() {
		return 0
	}
	return max(queuedBytes(d.conn), 0)
}

// countingConn counts the bytes read through it.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

// Read implements io.Reader.
func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}
