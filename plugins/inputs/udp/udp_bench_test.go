package udp_test

import (
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/pipeproject/pipe/pipeline"
)

// counter is an Emitter that only counts, and notes when it last got
// events.
type counter struct {
	n    atomic.Int64
	last atomic.Int64 // UnixNano
}

func (c *counter) Emit(e *pipeline.Event) { c.EmitAll([]*pipeline.Event{e}) }

func (c *counter) EmitAll(evs []*pipeline.Event) {
	c.n.Add(int64(len(evs)))
	c.last.Store(time.Now().UnixNano())
}

// BenchmarkUDP sends b.N python-logstash datagrams over loopback to a udp
// input with the json codec, from a sender using sendmmsg (64 datagrams per
// call), unpaced or paced, and reports the datagrams per second received
// and the share the kernel dropped.
//
//	go test -run '^$' -bench UDP -benchmem -benchtime 1000000x ./plugins/inputs/udp/
func BenchmarkUDP(b *testing.B) {
	const cfg = `input { udp {
		host  = "127.0.0.1"
		port  = 0
		codec = "json"
		%s
	} }`
	small := "receive_buffer_bytes = 212992" // a common OS default (net.core.rmem_default)
	for _, bc := range []struct {
		name   string
		rate   int // datagrams per second; 0: as fast as the sender can
		config string
	}{
		{"unpaced", 0, fmt.Sprintf(cfg, "")},
		{"200k_per_s", 200_000, fmt.Sprintf(cfg, "")},
		{"250k_per_s", 250_000, fmt.Sprintf(cfg, "")},
		{"unpaced/rcvbuf=208KiB", 0, fmt.Sprintf(cfg, small)},
		{"200k_per_s/rcvbuf=208KiB", 200_000, fmt.Sprintf(cfg, small)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var c counter
			r := start(b, bc.config, &c)
			conn, err := net.DialUDP("udp4", nil, r.in.Addr().(*net.UDPAddr))
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetWriteBuffer(4 << 20)
			pc := ipv4.NewPacketConn(conn)
			const batch = 64
			msgs := make([]ipv4.Message, batch)
			for i := range msgs {
				msgs[i].Buffers = [][]byte{[]byte(pythonLogstash)}
			}
			b.SetBytes(int64(len(pythonLogstash)))
			b.ReportAllocs()
			b.ResetTimer()
			t0 := time.Now()
			sent := 0
			for sent < b.N {
				if bc.rate > 0 {
					due := t0.Add(time.Duration(float64(sent) / float64(bc.rate) * float64(time.Second)))
					if d := time.Until(due); d > 0 {
						time.Sleep(d)
					}
				}
				k, err := pc.WriteBatch(msgs[:min(batch, b.N-sent)], 0)
				if err != nil {
					b.Fatal(err)
				}
				sent += k
			}
			sendTime := time.Since(t0)
			// Wait until every datagram is accounted for, received or
			// dropped (drops are polled every second).
			deadline := time.Now().Add(5 * time.Second)
			for time.Now().Before(deadline) {
				got, drops := r.counter("datagrams"), r.counter("kernel_drops")
				if got+drops >= int64(sent) && c.n.Load() >= got {
					break
				}
				time.Sleep(100 * time.Microsecond)
			}
			b.StopTimer()
			elapsed := time.Unix(0, c.last.Load()).Sub(t0)
			got, drops := r.counter("datagrams"), r.counter("kernel_drops")
			b.ReportMetric(float64(got)/elapsed.Seconds(), "recv/s")
			b.ReportMetric(float64(sent)/sendTime.Seconds(), "sent/s")
			b.ReportMetric(100*float64(drops)/float64(sent), "%loss")
			b.ReportMetric(float64(int64(sent)-got-drops), "unaccounted")
		})
	}
}
