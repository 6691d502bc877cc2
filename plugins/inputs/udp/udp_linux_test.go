package udp_test

import (
	"bytes"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
)

func TestUDPWarnsWhenTheReceiveBufferIsCapped(t *testing.T) {
	raw, err := os.ReadFile("/proc/sys/net/core/rmem_max")
	if err != nil {
		t.Fatal(err)
	}
	max, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		option string
		warn   bool
	}{
		{"more than the OS allows", "receive_buffer_bytes = " + strconv.Itoa(max+4096), true},
		{"within the limit", "receive_buffer_bytes = 65536", false},
		{"unset: 4 MiB or the OS limit, silently", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs plugintest.SyncBuffer
			var c plugintest.Collector
			r := startWith(t, "input { udp {\nport = 0\n"+tc.option+"\n} }", &c,
				pipeline.Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			r.stop(t)
			if got := strings.Contains(logs.String(), "smaller receive buffer"); got != tc.warn {
				t.Errorf("warned = %v, want %v:\n%s", got, tc.warn, logs.String())
			}
			if !strings.Contains(logs.String(), "udp input listening") {
				t.Errorf("no listening log:\n%s", logs.String())
			}
		})
	}
}

// Truncation and kernel drops are detected on Linux only.

func TestUDPTruncated(t *testing.T) {
	var c plugintest.Collector
	r := start(t, `input { udp {
		port        = 0
		codec       = "json"
		buffer_size = 16
	} }`, &c)
	send(t, r.in.Addr(), []byte(pythonLogstash), []byte(`{"a":1}`))
	waitFor(t, "two events", func() bool { return len(c.Events()) == 2 })
	evs := c.Events()
	var failed *pipeline.Event
	for _, e := range evs {
		if e.HasTag("_jsonparsefailure") {
			failed = e
		}
	}
	if failed == nil {
		t.Fatal("the truncated datagram is not tagged _jsonparsefailure")
	}
	if got := str(t, failed, "message"); got != pythonLogstash[:16] {
		t.Errorf("message = %q, want the first 16 bytes", got)
	}
	if n := r.counter("truncated"); n != 1 {
		t.Errorf("truncated = %d, want 1", n)
	}
	if n := r.counter("datagrams"); n != 2 {
		t.Errorf("datagrams = %d, want 2", n)
	}
}

// gate is an Emitter that blocks until opened: a receiver slower than
// its senders.
type gate struct {
	open chan struct{}
	plugintest.Collector
}

func (g *gate) Emit(e *pipeline.Event) { g.EmitAll([]*pipeline.Event{e}) }

func (g *gate) EmitAll(evs []*pipeline.Event) {
	<-g.open
	g.Collector.EmitAll(evs)
}

func TestUDPKernelDropsAreCounted(t *testing.T) {
	const sent = 3000
	g := &gate{open: make(chan struct{})}
	var logs plugintest.SyncBuffer
	r := startWith(t, `input { udp {
		port                 = 0
		workers              = 1
		queue_size           = 1
		receive_buffer_bytes = 4096
	} }`, g, pipeline.Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	payload := bytes.Repeat([]byte("x"), 200)
	payloads := make([][]byte, sent)
	for i := range payloads {
		payloads[i] = payload
	}
	send(t, r.in.Addr(), payloads...)
	close(g.open)
	waitFor(t, "datagrams + kernel_drops to account for every datagram sent", func() bool {
		return r.counter("datagrams")+r.counter("kernel_drops") >= sent
	})
	r.stop(t)
	got, drops := r.counter("datagrams"), r.counter("kernel_drops")
	t.Logf("sent %d, received %d, kernel drops %d", sent, got, drops)
	if drops == 0 {
		t.Fatal("no kernel drops counted")
	}
	if got+drops != sent {
		t.Errorf("received %d + dropped %d = %d, want %d sent", got, drops, got+drops, sent)
	}
	if n := int64(len(g.Events())); n != got {
		t.Errorf("emitted %d events for %d datagrams", n, got)
	}
	if !strings.Contains(logs.String(), "kernel dropped datagrams") || !strings.Contains(logs.String(), "kernel_drops="+strconv.FormatInt(drops, 10)) {
		t.Errorf("the drops are not logged with their total:\n%s", logs.String())
	}
}
