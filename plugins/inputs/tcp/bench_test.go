package tcp_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/inputs/tcp"
)

// counter is an Emitter that counts events and says when it saw want.
type counter struct {
	n    atomic.Int64
	want int64
	done chan struct{}
}

func (c *counter) Emit(e *pipeline.Event) { c.EmitAll([]*pipeline.Event{e}) }

func (c *counter) EmitAll(evs []*pipeline.Event) {
	if c.n.Add(int64(len(evs))) == c.want {
		close(c.done)
	}
}

// BenchmarkTCPJSONLines sends python-logstash lines (§4 of the Logstash
// reference) from N loopback connections in 64 KiB writes of whole lines
// into a tcp input with codec json_lines, and counts the events.
func BenchmarkTCPJSONLines(b *testing.B) {
	line := pythonLogstashLine
	perChunk := (64 << 10) / len(line)
	chunk := []byte(strings.Repeat(line, perChunk))
	for _, conns := range []int{1, 8, 64} {
		b.Run(fmt.Sprintf("conns=%d", conns), func(b *testing.B) {
			in := plugintest.Build(b, registry(), cfg(`codec = "json_lines"`), pipeline.KindInput, pipeline.Deps{}).(*tcp.Input)
			in.SetReverseLookup(fakeLookup)
			out := &counter{want: int64(b.N), done: make(chan struct{})}
			ctx, cancel := context.WithCancel(context.Background())
			ran := make(chan error, 1)
			go func() { ran <- in.Run(ctx, out) }()
			<-in.Listening()
			cs := make([]net.Conn, conns)
			for i := range cs {
				c, err := net.Dial("tcp", in.Addr().String())
				if err != nil {
					b.Fatal(err)
				}
				cs[i] = c
			}
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			b.ResetTimer()
			var wg sync.WaitGroup
			for i, c := range cs {
				n := b.N / conns
				if i < b.N%conns {
					n++
				}
				wg.Go(func() {
					for n > 0 {
						k := min(n, perChunk)
						if _, err := c.Write(chunk[:k*len(line)]); err != nil {
							b.Error(err)
							return
						}
						n -= k
					}
				})
			}
			wg.Wait()
			if b.N > 0 {
				select {
				case <-out.done:
				case <-time.After(time.Minute):
					b.Fatalf("got %d events of %d", out.n.Load(), b.N)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			for _, c := range cs {
				c.Close()
			}
			cancel()
			if err := <-ran; err != nil {
				b.Fatal(err)
			}
		})
	}
}
