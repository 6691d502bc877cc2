package udp_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
	"github.com/pipeproject/pipe/plugins/inputs/udp"
)

// pythonLogstash is one datagram as python-logstash's UDPLogstashHandler
// sends it (version 1 formatter; a string host).
const pythonLogstash = `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing", "host": "vm", "path": "/srv/app/capture.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/missing'>"}`

// registry is every built-in plugin.
func registry() *pipeline.Registry { return all.Registry() }

// running is an input started on loopback.
type running struct {
	in      *udp.Input
	metrics *pipeline.Metrics
	cancel  context.CancelFunc
	done    chan error
}

// start builds the input from config and runs it into out.
func start(t testing.TB, config string, out pipeline.Emitter) *running {
	t.Helper()
	return startWith(t, config, out, pipeline.Deps{})
}

// startWith is start with the given deps (a logger).
func startWith(t testing.TB, config string, out pipeline.Emitter, deps pipeline.Deps) *running {
	t.Helper()
	m := &pipeline.Metrics{}
	deps.Metrics = m
	in := plugintest.Build(t, registry(), config, pipeline.KindInput, deps).(*udp.Input)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{in: in, metrics: m, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- in.Run(ctx, out) }()
	if in.Addr() == nil {
		cancel()
		t.Fatalf("udp input did not bind: %v", <-r.done)
	}
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the input and waits (briefly) for Run to return.
func (r *running) stop(t testing.TB) {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok && err != nil {
			t.Errorf("Run: %v", err)
		}
		if ok {
			close(r.done)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("udp input did not stop within 5s")
	}
}

func (r *running) counter(name string) int64 { return r.metrics.Counter(name).Load() }

// send sends each payload as one datagram to the input.
func send(t testing.TB, addr net.Addr, payloads ...[]byte) {
	t.Helper()
	c, err := net.Dial("udp", addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, p := range payloads {
		if _, err := c.Write(p); err != nil {
			t.Fatal(err)
		}
	}
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func str(t *testing.T, e *pipeline.Event, ref string) string {
	t.Helper()
	s, ok := e.GetString(pipeline.MustFieldRef(ref))
	if !ok {
		t.Fatalf("event lacks string %s: %s", ref, pipeline.AppendEventJSON(nil, e))
	}
	return s
}

func TestUDP(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config string
		data   string
		want   map[string]string // field reference -> value ("" = the sender's IP)
		absent []string
		tags   []string
	}{
		{"plain, ECS disabled", `input { udp { port = 0 ecs_compatibility = "disabled" } }`, "hello world",
			map[string]string{"message": "hello world", "host": ""}, []string{"[host][ip]"}, nil},
		{"plain, ECS v8 from the pipeline", `input { udp { port = 0 } }`, "hello",
			map[string]string{"message": "hello", "[host][ip]": "", "[event][original]": "hello"}, nil, nil},
		{"plain, ECS v1", `input { udp { port = 0 ecs_compatibility = "v1" } }`, "x",
			map[string]string{"message": "x", "[host][ip]": ""}, nil, nil},
		{"json, ECS disabled", `input { udp { port = 0 codec = "json" ecs_compatibility = "disabled" } }`, `{"message":"m","n":1}`,
			map[string]string{"message": "m", "host": ""}, nil, nil},
		{"json, ECS v8", `input { udp { port = 0 codec = "json" } }`, `{"message":"m"}`,
			map[string]string{"message": "m", "[host][ip]": ""}, nil, nil},
		{"python-logstash, ECS v8: the string host survives", `input { udp { port = 0 codec = "json" } }`, pythonLogstash,
			map[string]string{"message": "Not Found: /missing", "host": "vm", "type": "logstash", "level": "WARNING"}, nil, nil},
		{"python-logstash, ECS disabled: the sender's host wins", `input { udp { port = 0 codec = "json" ecs_compatibility = "disabled" } }`, pythonLogstash,
			map[string]string{"host": "vm", "logger_name": "django.request"}, nil, nil},
		{"source_ip_fieldname", `input { udp { port = 0 codec = "json" source_ip_fieldname = "[client][address]" } }`, `{"host":"h"}`,
			map[string]string{"host": "h", "[client][address]": ""}, []string{"[host][ip]"}, nil},
		{"not JSON", `input { udp { port = 0 codec = "json" } }`, `{"message": `,
			map[string]string{"message": `{"message": `, "[host][ip]": ""}, nil, []string{"_jsonparsefailure"}},
		{"common options", `input { udp {
			port = 0
			type = "syslog"
			tags = ["udp"]
			add_field = { "env" = "test" }
		} }`, "t", map[string]string{"message": "t"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c plugintest.Collector
			r := start(t, tc.config, &c)
			send(t, r.in.Addr(), []byte(tc.data))
			waitFor(t, "the event", func() bool { return len(c.Events()) == 1 })
			e := c.Events()[0]
			for ref, want := range tc.want {
				if want == "" {
					want = "127.0.0.1"
				}
				if got := str(t, e, ref); got != want {
					t.Errorf("%s = %q, want %q", ref, got, want)
				}
			}
			for _, ref := range tc.absent {
				if e.Includes(pipeline.MustFieldRef(ref)) {
					t.Errorf("%s is set: %s", ref, pipeline.AppendEventJSON(nil, e))
				}
			}
			for _, tag := range tc.tags {
				if !e.HasTag(tag) {
					t.Errorf("tag %s missing: %v", tag, e.Tags())
				}
			}
			if n := r.counter("datagrams"); n != 1 {
				t.Errorf("datagrams = %d, want 1", n)
			}
		})
	}
}

func TestUDPAddressFamilies(t *testing.T) {
	for _, tc := range []struct {
		name, host, dial, wantIP string
	}{
		{"IPv4 loopback", "127.0.0.1", "127.0.0.1", "127.0.0.1"},
		{"IPv6 loopback", "::1", "::1", "::1"},
		{"dual stack, IPv4 sender", "::", "127.0.0.1", "127.0.0.1"},
		{"dual stack, IPv6 sender", "::", "::1", "::1"},
		{"host name", "localhost", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c plugintest.Collector
			r := start(t, `input { udp {
				host = "`+tc.host+`"
				port = 0
			} }`, &c)
			port := r.in.Addr().(*net.UDPAddr).Port
			dial, want := tc.dial, tc.wantIP
			if dial == "" { // whatever localhost resolved to
				dial = r.in.Addr().(*net.UDPAddr).IP.String()
				want = dial
			}
			send(t, &net.UDPAddr{IP: net.ParseIP(dial), Port: port}, []byte("m"))
			waitFor(t, "the event", func() bool { return len(c.Events()) == 1 })
			if got := str(t, c.Events()[0], "[host][ip]"); got != want {
				t.Errorf("[host][ip] = %q, want %q", got, want)
			}
		})
	}
}

func TestUDPGarbage(t *testing.T) {
	payloads := [][]byte{
		{0xff, 0xfe, 0xfd},
		[]byte("caf\xc3"),
		[]byte(`{"message":"\xff\xfe"}`),
		{0},
		bytes.Repeat([]byte{0x80}, 1000),
		[]byte(`[1,2,{"a":`),
		[]byte(`{"host":{"ip":["x"]}}`),
		[]byte(`{"host":null}`),
		[]byte(`[{"host":"a"},{"host":{"name":"b"}}]`),
		[]byte("   "),
		{},
	}
	for _, codec := range []string{"plain", "json"} {
		t.Run(codec, func(t *testing.T) {
			var c plugintest.Collector
			r := start(t, `input { udp {
				port  = 0
				codec = "`+codec+`"
			} }`, &c)
			send(t, r.in.Addr(), payloads...)
			waitFor(t, "every datagram", func() bool { return r.counter("datagrams") == int64(len(payloads)) })
			r.stop(t)
			for _, e := range c.Events() {
				if m, ok := e.Message(); ok && !utf8.ValidString(m) {
					t.Errorf("message is not valid UTF-8: %q", m)
				}
			}
			if len(c.Events()) == 0 {
				t.Error("no events")
			}
		})
	}
}

func TestUDPStopsPromptlyAndDrains(t *testing.T) {
	for _, tc := range []struct{ name, config string }{
		{"one reader", `input { udp { port = 0 } }`},
		{"SO_REUSEPORT readers", `input { udp {
			port    = 0
			readers = 3
			workers = 3
		} }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c plugintest.Collector
			r := start(t, tc.config, &c)
			var wg sync.WaitGroup
			for range 4 { // distinct source ports spread over the sockets
				wg.Go(func() { send(t, r.in.Addr(), []byte("a"), []byte("b")) })
			}
			wg.Wait()
			waitFor(t, "every datagram read", func() bool { return r.counter("datagrams") == 8 })
			t0 := time.Now()
			r.stop(t)
			if d := time.Since(t0); d > time.Second {
				t.Errorf("stop took %v", d)
			}
			if n := len(c.Events()); n != 8 {
				t.Errorf("emitted %d events, want 8", n)
			}
		})
	}
}

func TestUDPBindFailure(t *testing.T) {
	var c plugintest.Collector
	r := start(t, `input { udp { port = 0 } }`, &c)
	port := r.in.Addr().(*net.UDPAddr).Port
	in := plugintest.Build(t, registry(), `input { udp {
		host = "127.0.0.1"
		port = `+strconv.Itoa(port)+`
	} }`, pipeline.KindInput, pipeline.Deps{}).(*udp.Input)
	err := in.Run(context.Background(), &c)
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("Run = %v, want a listen error", err)
	}
	if in.Addr() != nil {
		t.Error("Addr is not nil after a failed bind")
	}
}

func TestUDPConfigErrors(t *testing.T) {
	for _, tc := range []struct{ config, want string }{
		{`input { udp {} }`, `"port"`},
		{`input { udp { port = 70000 } }`, "port"},
		{`input { udp {
			port = 1
			buffer_size = 0
		} }`, "buffer_size"},
		{`input { udp {
			port = 1
			buffer_size = 70000
		} }`, "buffer_size"},
		{`input { udp {
			port = 1
			workers = 0
		} }`, "workers"},
		{`input { udp {
			port = 1
			queue_size = 0
		} }`, "queue_size"},
		{`input { udp {
			port = 1
			readers = 0
		} }`, "readers"},
		{`input { udp {
			port = 1
			receive_buffer_bytes = -1
		} }`, "receive_buffer_bytes"},
		{`input { udp {
			port = 1
			ecs_compatibility = "v9"
		} }`, "ecs_compatibility"},
		{`input { udp {
			port = 1
			source_ip_fieldname = "[a"
		} }`, "source_ip_fieldname"},
		{`input { udp {
			port = 1
			host = ""
		} }`, "host"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			_, diags := conf.Load([]conf.Source{{Name: "t.hcl", Data: []byte(tc.config)}}, registry(), conf.Options{})
			if !diags.HasErrors() {
				t.Fatal("config loads")
			}
			var b strings.Builder
			_ = diags.Write(&b, nil, false)
			if !strings.Contains(b.String(), tc.want) {
				t.Errorf("diagnostics do not mention %s:\n%s", tc.want, b.String())
			}
		})
	}
}

func TestUDPReadmeExampleLoads(t *testing.T) {
	data, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```hcl\n(.*?)```").FindSubmatch(data)
	if m == nil {
		t.Fatal("no hcl example in README.md")
	}
	if got, want := strings.TrimSpace(string(m[1])), `input { udp { port = 5000 codec = "json" } }`; got != want {
		t.Errorf("first example = %q, want %q", got, want)
	}
	reg := registry()
	spec, diags := conf.Load([]conf.Source{{Name: "README.md", Data: m[1]}}, reg, conf.Options{DefaultIO: true})
	if diags.HasErrors() {
		var b strings.Builder
		_ = diags.Write(&b, nil, false)
		t.Fatalf("README example does not load:\n%s", b.String())
	}
	if _, err := pipeline.New(spec, pipeline.Options{Registry: reg}); err != nil {
		t.Fatalf("README example does not build: %v", err)
	}
}
