package udp

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestKernelDropReports overflows a tiny receive buffer and checks both
// ways the kernel reports drops: SO_MEMINFO and the SO_RXQ_OVFL control
// message on the next datagram read.
func TestKernelDropReports(t *testing.T) {
	lc := net.ListenConfig{Control: controlFunc(false, 2048)}
	pc, err := lc.ListenPacket(context.Background(), "udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conn := pc.(*net.UDPConn)
	defer conn.Close()
	sender, err := net.DialUDP("udp4", nil, conn.LocalAddr().(*net.UDPAddr))
	if err != nil {
		t.Fatal(err)
	}
	defer sender.Close()
	if d, ok := socketDrops(conn); !ok || d != 0 {
		t.Fatalf("socketDrops before sending = %d, %v; want 0, true", d, ok)
	}
	payload := bytes.Repeat([]byte("y"), 300)
	for range 500 {
		if _, err := sender.Write(payload); err != nil {
			t.Fatal(err)
		}
	}
	drops, ok := socketDrops(conn)
	if !ok || drops == 0 {
		t.Fatalf("socketDrops = %d, %v; want some drops", drops, ok)
	}
	// The datagrams still queued were queued before most drops; send one
	// more once there is room, and its control message has the total.
	buf := make([]byte, 1024)
	oob := make([]byte, oobSize)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var last uint32
	for range 1000 {
		n, oobn, flags, _, err := conn.ReadMsgUDP(buf, oob)
		if err != nil {
			break
		}
		if n != len(payload) || flags&unix.MSG_TRUNC != 0 {
			t.Fatalf("read %d bytes, flags %#x", n, flags)
		}
		if d, ok := dropsFromOOB(oob[:oobn]); ok {
			last = d
		}
		if last == drops {
			break
		}
		if _, err := sender.Write(payload); err != nil {
			t.Fatal(err)
		}
	}
	if last != drops {
		t.Fatalf("SO_RXQ_OVFL reported %d, SO_MEMINFO %d", last, drops)
	}
}

func TestDropsFromOOBMalformed(t *testing.T) {
	hdr := unix.CmsgLen(0)
	good := make([]byte, unix.CmsgSpace(4))
	h := (*unix.Cmsghdr)(unsafePointer(good))
	h.Level, h.Type = unix.SOL_SOCKET, unix.SO_RXQ_OVFL
	h.SetLen(unix.CmsgLen(4))
	binary.NativeEndian.PutUint32(good[hdr:], 7)
	if d, ok := dropsFromOOB(good); !ok || d != 7 {
		t.Fatalf("dropsFromOOB = %d, %v; want 7, true", d, ok)
	}
	other := bytes.Clone(good)
	(*unix.Cmsghdr)(unsafePointer(other)).Type = unix.SO_TIMESTAMP
	for _, tc := range []struct {
		name string
		oob  []byte
	}{
		{"empty", nil},
		{"short", good[:hdr-1]},
		{"truncated data", good[:hdr+2]},
		{"other message", other},
		{"zero length", make([]byte, 64)},
		{"length past the end", func() []byte {
			b := bytes.Clone(good)
			(*unix.Cmsghdr)(unsafePointer(b)).SetLen(1000)
			return b
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d, ok := dropsFromOOB(tc.oob); ok {
				t.Errorf("dropsFromOOB = %d, true; want false", d)
			}
		})
	}
}

// unsafePointer returns the address of b's first byte.
func unsafePointer(b []byte) unsafe.Pointer { return unsafe.Pointer(&b[0]) }
