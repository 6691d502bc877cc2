package tcp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// maxProxyHeader is the longest PROXY protocol v1 header, CRLF included.
const maxProxyHeader = 107

// errProxyHeader is wrapped by every PROXY header error.
var errProxyHeader = errors.New("invalid PROXY protocol v1 header")

// proxyHeader is a parsed PROXY protocol v1 header.
type proxyHeader struct {
	// length is the header's length in bytes, CRLF included.
	length int
	// known is false for "PROXY UNKNOWN": the connection's own addresses
	// stand.
	known            bool
	srcIP, dstIP     string
	srcPort, dstPort int64
}

// readProxyHeader reads from r into buf until it holds a whole header line
// and parses it. It returns the header and how many bytes buf holds (the
// bytes after the header are stream data). buf must hold at least
// maxProxyHeader bytes.
func readProxyHeader(r io.Reader, buf []byte) (proxyHeader, int, error) {
	n := 0
	for {
		if i := bytes.Index(buf[:n], []byte("\r\n")); i >= 0 {
			h, err := parseProxyHeader(buf[:i])
			h.length = i + 2
			return h, n, err
		}
		if n >= maxProxyHeader {
			return proxyHeader{}, n, fmt.Errorf("%w: no CRLF in the first %d bytes", errProxyHeader, maxProxyHeader)
		}
		if n >= 6 && !bytes.HasPrefix(buf[:n], []byte("PROXY ")) {
			return proxyHeader{}, n, fmt.Errorf("%w: does not start with \"PROXY \"", errProxyHeader)
		}
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			if n > 0 && errors.Is(err, io.EOF) {
				return proxyHeader{}, n, fmt.Errorf("%w: connection closed inside the header", errProxyHeader)
			}
			return proxyHeader{}, n, err
		}
	}
}

// parseProxyHeader parses a header line without its CRLF:
// "PROXY TCP4|TCP6 srcip dstip srcport dstport" or "PROXY UNKNOWN ...".
func parseProxyHeader(line []byte) (proxyHeader, error) {
	if len(line)+2 > maxProxyHeader {
		return proxyHeader{}, fmt.Errorf("%w: longer than %d bytes", errProxyHeader, maxProxyHeader)
	}
	parts := strings.Split(string(line), " ")
	if parts[0] != "PROXY" || len(parts) < 2 {
		return proxyHeader{}, fmt.Errorf("%w: does not start with \"PROXY \"", errProxyHeader)
	}
	switch parts[1] {
	case "UNKNOWN":
		return proxyHeader{}, nil
	case "TCP4", "TCP6":
	default:
		return proxyHeader{}, fmt.Errorf("%w: unknown protocol %q", errProxyHeader, printable(parts[1]))
	}
	if len(parts) != 6 {
		return proxyHeader{}, fmt.Errorf("%w: want 6 fields, got %d", errProxyHeader, len(parts))
	}
	h := proxyHeader{known: true}
	for i, s := range parts[2:4] {
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" || a.Is4() != (parts[1] == "TCP4") {
			return proxyHeader{}, fmt.Errorf("%w: bad %s address %q", errProxyHeader, parts[1], printable(s))
		}
		if i == 0 {
			h.srcIP = a.String()
		} else {
			h.dstIP = a.String()
		}
	}
	for i, s := range parts[4:6] {
		p, err := strconv.ParseUint(s, 10, 16)
		if err != nil || (len(s) > 1 && s[0] == '0') {
			return proxyHeader{}, fmt.Errorf("%w: bad port %q", errProxyHeader, printable(s))
		}
		if i == 0 {
			h.srcPort = int64(p)
		} else {
			h.dstPort = int64(p)
		}
	}
	return h, nil
}

// printable quotes at most 40 bytes of s for an error message.
func printable(s string) string {
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
