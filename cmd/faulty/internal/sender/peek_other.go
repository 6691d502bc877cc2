//go:build !unix

package sender

import "net"

// peerClosed cannot peek on this platform; a closed peer shows up as a
// write error one record later.
func peerClosed(net.Conn) bool { return false }

// refusedNow cannot ask for the socket error on this platform; a refusal
// shows up as the next write's error.
func refusedNow(net.Conn) bool { return false }
