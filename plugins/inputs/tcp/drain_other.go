//go:build !linux

package tcp

import "net"

// queuedBytes cannot tell the queued bytes outside Linux: the drain falls
// back to stopDrain from the stop.
func queuedBytes(net.Conn) int { return -1 }
