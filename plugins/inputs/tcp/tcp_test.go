package tcp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/inputs/tcp"
)

// cfg makes a pipeline config with one tcp input on 127.0.0.1, a free port.
func cfg(opts ...string) string {
	return "input {\n  tcp {\n    host = \"127.0.0.1\"\n    port = 0\n    " + strings.Join(opts, "\n    ") + "\n  }\n}\n"
}

func TestJSONLinesManyConnections(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opts   []string
		fields map[string]any // expected on every event
	}{
		{"ECS disabled", []string{`ecs_compatibility = "disabled"`}, map[string]any{
			"host": "peer.example", "[@metadata][ip_address]": "127.0.0.1"}},
		{"ECS disabled, no reverse DNS", []string{`ecs_compatibility = "disabled"`, `dns_reverse_lookup_enabled = false`}, map[string]any{
			"host": "127.0.0.1", "[@metadata][ip_address]": "127.0.0.1"}},
		{"ECS v8", []string{`ecs_compatibility = "v8"`}, map[string]any{
			"[@metadata][input][tcp][source][name]": "peer.example", "[@metadata][input][tcp][source][ip]": "127.0.0.1",
			"host": nil, "port": nil}},
		{"ECS v1", []string{`ecs_compatibility = "v1"`, `tcp_keep_alive = true`}, map[string]any{
			"[@metadata][input][tcp][source][name]": "peer.example", "[@metadata][input][tcp][source][ip]": "127.0.0.1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, cfg(append(tc.opts, `codec = "json"`)...)) // json becomes json_lines
			const conns, lines = 20, 50
			var wg sync.WaitGroup
			for c := range conns {
				wg.Go(func() {
					var b strings.Builder
					for i := range lines {
						fmt.Fprintf(&b, `{"message": "c%d-%d", "n": %d}`+"\n", c, i, i)
					}
					send(t, s.addr, b.String())
				})
			}
			wg.Wait()
			evs := s.waitEvents(t, conns*lines)
			seen := map[string]bool{}
			portRef := "port"
			if tc.name == "ECS v8" || tc.name == "ECS v1" {
				portRef = "[@metadata][input][tcp][source][port]"
			}
			for _, e := range evs {
				m, _ := e.Message()
				if seen[m] {
					t.Errorf("duplicate %q", m)
				}
				seen[m] = true
				for ref, want := range tc.fields {
					if got := get(e, ref); got != want {
						t.Fatalf("%s = %#v, want %#v", ref, got, want)
					}
				}
				if p, ok := get(e, portRef).(int64); !ok || p <= 0 {
					t.Fatalf("%s = %#v, want the peer's port as an integer", portRef, get(e, portRef))
				}
			}
			if len(seen) != conns*lines {
				t.Fatalf("got %d distinct events, want %d", len(seen), conns*lines)
			}
			waitFor(t, "connections closed", func() bool { return s.counter(tcp.CounterConnectionsOpen) == 0 })
			if n := s.counter(tcp.CounterConnections); n != conns {
				t.Errorf("connections = %d, want %d", n, conns)
			}
		})
	}
}

func TestSenderFieldsSurvive(t *testing.T) {
	for _, ecs := range []string{"disabled", "v8"} {
		t.Run(ecs, func(t *testing.T) {
			s := start(t, cfg(`codec = "json_lines"`, `ecs_compatibility = "`+ecs+`"`))
			send(t, s.addr, `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing", "host": "vm", "port": 1, "type": "logstash"}`+"\n")
			e := s.waitEvents(t, 1)[0]
			if h := get(e, "host"); h != "vm" {
				t.Errorf("host = %#v, want the sender's", h)
			}
			if p := get(e, "port"); p != int64(1) {
				t.Errorf("port = %#v, want the sender's", p)
			}
		})
	}
}

func TestFraming(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  []string
		data  string
		want  []string
		tag   []string // tags expected on each event ("" for none)
		check func(t *testing.T, e *pipeline.Event)
	}{
		{"partial last line flushed on close", nil, "one\ntwo\r\nthree", []string{"one", "two\r", "three"}, nil, nil},
		{"partial json line on close", []string{`codec = "json_lines"`}, "{\"message\":\"a\"}\n{\"message\":", []string{"a", `{"message":`},
			[]string{"", "_jsonparsefailure"}, nil},
		{"line too long is bounded", []string{"codec \"line\" {\n decode_size_limit_bytes = 64\n }"},
			strings.Repeat("x", 100_000) + "\nok\n", []string{strings.Repeat("x", 64), "ok"}, []string{"_linetoolong", ""}, nil},
		{"json array gives many events", []string{`codec = "json_lines"`}, `[{"message":"a"},{"message":"b"}]` + "\n", []string{"a", "b"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, cfg(tc.opts...))
			send(t, s.addr, tc.data)
			s.waitEvents(t, len(tc.want))
			waitFor(t, "connection closed", func() bool { return s.counter(tcp.CounterConnectionsOpen) == 0 })
			evs := s.events.Events()
			if len(evs) != len(tc.want) {
				t.Fatalf("got %d events, want %d", len(evs), len(tc.want))
			}
			for i, e := range evs {
				if m, _ := e.Message(); m != tc.want[i] {
					t.Errorf("event %d: message %.80q, want %.80q", i, m, tc.want[i])
				}
				if tc.tag != nil && tc.tag[i] != "" && !e.HasTag(tc.tag[i]) {
					t.Errorf("event %d: tags %v, want %s", i, e.Tags(), tc.tag[i])
				}
			}
		})
	}
}

func TestProxyProtocol(t *testing.T) {
	for _, tc := range []struct {
		name     string
		ecs      string
		data     []string // written one after another
		events   int
		failures int64
		fields   map[string]any
	}{
		{"TCP4 header", "disabled", []string{"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\nhello\n"}, 1, 0, map[string]any{
			"host": "peer.example", "[@metadata][ip_address]": "192.0.2.1", "port": int64(56324),
			"proxy_host": "198.51.100.2", "proxy_port": int64(443)}},
		{"TCP6 header split across writes, ECS v8", "v8", []string{"PROXY TCP6 2001:db8::1 ", "2001:db8::2 1000 2000\r", "\nhel", "lo\n"}, 1, 0, map[string]any{
			"[@metadata][input][tcp][source][ip]": "2001:db8::1", "[@metadata][input][tcp][source][port]": int64(1000),
			"[@metadata][input][tcp][proxy][ip]": "2001:db8::2", "[@metadata][input][tcp][proxy][port]": int64(2000)}},
		{"UNKNOWN keeps the connection's address", "disabled", []string{"PROXY UNKNOWN\r\nhello\n"}, 1, 0, map[string]any{
			"[@metadata][ip_address]": "127.0.0.1", "proxy_host": nil}},
		{"no header", "disabled", []string{"hello world\n"}, 0, 1, nil},
		{"bad address", "disabled", []string{"PROXY TCP4 1.2.3 4.5.6.7 1 2\r\nhello\n"}, 0, 1, nil},
		{"bad port", "disabled", []string{"PROXY TCP4 1.2.3.4 4.5.6.7 1 99999\r\nhello\n"}, 0, 1, nil},
		{"too long", "disabled", []string{"PROXY TCP4 " + strings.Repeat("1", 200) + "\r\n"}, 0, 1, nil},
		{"garbage", "disabled", []string{"\xff\xfe\x00PROXY\r\n"}, 0, 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, cfg(`proxy_protocol = true`, `ecs_compatibility = "`+tc.ecs+`"`))
			c, err := net.Dial("tcp", s.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			for _, d := range tc.data {
				if _, err := c.Write([]byte(d)); err != nil {
					t.Fatal(err)
				}
				time.Sleep(5 * time.Millisecond)
			}
			if tc.failures > 0 {
				// The input closes the connection.
				_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
				if _, err := c.Read(make([]byte, 1)); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("read = %v, want the connection closed", err)
				}
				waitFor(t, "failure counted", func() bool { return s.counter(tcp.CounterProxyHeaderFailures) == tc.failures })
				if n := len(s.events.Events()); n != 0 {
					t.Fatalf("got %d events from a connection with a bad header", n)
				}
				return
			}
			e := s.waitEvents(t, tc.events)[0]
			if m, _ := e.Message(); m != "hello" {
				t.Errorf("message = %q", m)
			}
			for ref, want := range tc.fields {
				if got := get(e, ref); got != want {
					t.Errorf("%s = %#v, want %#v", ref, got, want)
				}
			}
		})
	}
}

// tlsSend connects with TLS, writes a line and reads until the server
// closes; it returns the handshake or write error.
func tlsSend(addr string, cfg *tls.Config, line string) error {
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Write([]byte(line)); err != nil {
		return err
	}
	// In TLS 1.3 the server checks the client certificate after the
	// client's handshake returned: a refusal shows on the next read.
	_ = c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	_, err = c.Read(make([]byte, 1))
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

func TestTLSServer(t *testing.T) {
	p := newPKI(t)
	base := []string{`ssl_enabled = true`, `ssl_certificate = ` + hclString(p.serverCert), `ssl_key = ` + hclString(p.serverKey),
		`ecs_compatibility = "disabled"`}
	withCA := slices.Concat(base, []string{`ssl_certificate_authorities = [` + hclString(p.caFile) + `]`})
	for _, tc := range []struct {
		name    string
		opts    []string
		client  *tls.Certificate
		ok      bool
		subject string
	}{
		{"required (default with CAs), good cert", withCA, &p.clientPair, true, "CN=client,O=Acme"},
		{"required, no cert", slices.Concat(withCA, []string{`ssl_client_authentication = "required"`}), nil, false, ""},
		{"required, cert from another CA", withCA, &p.roguePair, false, ""},
		{"optional, no cert", slices.Concat(withCA, []string{`ssl_client_authentication = "optional"`}), nil, true, ""},
		{"optional, good cert", slices.Concat(withCA, []string{`ssl_client_authentication = "optional"`}), &p.clientPair, true, "CN=client,O=Acme"},
		{"optional, bad cert", slices.Concat(withCA, []string{`ssl_client_authentication = "optional"`}), &p.roguePair, false, ""},
		{"none (default without CAs)", base, nil, true, ""},
		{"none, TLS 1.2 only", slices.Concat(base, []string{`ssl_client_authentication = "none"`, `ssl_supported_protocols = ["TLSv1.2"]`,
			`ssl_cipher_suites = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]`}), nil, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, cfg(tc.opts...))
			cc := &tls.Config{RootCAs: p.pool, ServerName: "localhost"}
			if tc.client != nil {
				// Sent even when not signed by a CA the server asks for.
				cc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return tc.client, nil }
			}
			err := tlsSend(s.addr, cc, "secret line\n")
			if !tc.ok {
				waitFor(t, "handshake failure counted", func() bool { return s.counter(tcp.CounterTLSHandshakeFailures) == 1 })
				if err == nil {
					t.Error("the client saw no error")
				}
				// Other connections are unaffected.
				good := &tls.Config{RootCAs: p.pool, ServerName: "localhost", Certificates: []tls.Certificate{p.clientPair}}
				if err := tlsSend(s.addr, good, "after\n"); err != nil {
					t.Fatal(err)
				}
				e := s.waitEvents(t, 1)[0]
				if m, _ := e.Message(); m != "after" || len(s.events.Events()) != 1 {
					t.Fatalf("events after a refused client: %d, first %q", len(s.events.Events()), m)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			e := s.waitEvents(t, 1)[0]
			if m, _ := e.Message(); m != "secret line" {
				t.Errorf("message = %q", m)
			}
			if got := get(e, "sslsubject"); tc.subject != "" && got != tc.subject || tc.subject == "" && got != nil {
				t.Errorf("sslsubject = %#v, want %q", got, tc.subject)
			}
			if n := s.counter(tcp.CounterTLSHandshakeFailures); n != 0 {
				t.Errorf("tls_handshake_failures = %d", n)
			}
		})
	}
	t.Run("plain text on a TLS port", func(t *testing.T) {
		s := start(t, cfg(base...))
		send(t, s.addr, "not tls at all\n")
		waitFor(t, "handshake failure counted", func() bool { return s.counter(tcp.CounterTLSHandshakeFailures) == 1 })
		if n := len(s.events.Events()); n != 0 {
			t.Fatalf("got %d events", n)
		}
	})
	t.Run("ECS v8 subject field", func(t *testing.T) {
		s := start(t, cfg(slices.Concat(base[:len(base)-1], []string{`ssl_certificate_authorities = [` + hclString(p.caFile) + `]`, `ecs_compatibility = "v8"`})...))
		if err := tlsSend(s.addr, &tls.Config{RootCAs: p.pool, ServerName: "localhost", Certificates: []tls.Certificate{p.clientPair}}, "x\n"); err != nil {
			t.Fatal(err)
		}
		e := s.waitEvents(t, 1)[0]
		if got := get(e, "[@metadata][input][tcp][tls][client][subject]"); got != "CN=client,O=Acme" {
			t.Errorf("subject = %#v", got)
		}
	})
}

// testServer accepts connections on loopback and hands each to serve.
func testServer(t *testing.T, tlsCfg *tls.Config, serve func(i int, c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for i := 0; ; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(i, c)
		}
	}()
	return ln.Addr().String()
}

func TestClientMode(t *testing.T) {
	p := newPKI(t)
	serverPair, err := tls.LoadX509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		tls   *tls.Config
		opts  []string
		conns int // the test server closes each connection after its line
	}{
		{"plain, reconnects", nil, []string{`ecs_compatibility = "disabled"`}, 3},
		{"TLS verified against the CA, with a client cert", &tls.Config{Certificates: []tls.Certificate{serverPair},
			ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.pool},
			[]string{`ssl_enabled = true`, `ssl_certificate_authorities = [` + hclString(p.caFile) + `]`,
				`ssl_certificate = ` + hclString(p.clientCert), `ssl_key = ` + hclString(p.clientKey), `ecs_compatibility = "disabled"`}, 2},
		{"TLS without verification", &tls.Config{Certificates: []tls.Certificate{serverPair}},
			[]string{`ssl_enabled = true`, `ssl_verification_mode = "none"`, `ecs_compatibility = "disabled"`}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := testServer(t, tc.tls, func(i int, c net.Conn) {
				defer c.Close()
				fmt.Fprintf(c, "line %d\npartial %d", i, i)
			})
			host, port, _ := net.SplitHostPort(addr)
			config := "input {\n tcp {\n mode = \"client\"\n host = \"" + host + "\"\n port = " + port + "\n " + strings.Join(tc.opts, "\n ") + "\n }\n}\n"
			s := start(t, config)
			if s.in.Addr() != nil {
				t.Error("Addr in client mode")
			}
			evs := s.waitEvents(t, 2*tc.conns)
			for i := range tc.conns {
				if m, _ := evs[2*i].Message(); m != fmt.Sprintf("line %d", i) {
					t.Errorf("event %d: %q", 2*i, m)
				}
				if m, _ := evs[2*i+1].Message(); m != fmt.Sprintf("partial %d", i) {
					t.Errorf("event %d: %q", 2*i+1, m)
				}
			}
			if got := get(evs[0], "[@metadata][ip_address]"); got != "127.0.0.1" {
				t.Errorf("ip_address = %#v", got)
			}
			if tc.tls != nil && tc.tls.ClientAuth == tls.RequireAndVerifyClientCert {
				if got := get(evs[0], "sslsubject"); got != "CN=localhost" {
					t.Errorf("sslsubject = %#v, want the server's subject", got)
				}
			}
		})
	}
	t.Run("server certificate not trusted", func(t *testing.T) {
		addr := testServer(t, &tls.Config{Certificates: []tls.Certificate{serverPair}}, func(i int, c net.Conn) {
			defer c.Close()
			fmt.Fprintf(c, "never\n")
		})
		host, port, _ := net.SplitHostPort(addr)
		other := newPKI(t)
		s := start(t, "input {\n tcp {\n mode = \"client\"\n host = \""+host+"\"\n port = "+port+
			"\n ssl_enabled = true\n ssl_certificate_authorities = ["+hclString(other.caFile)+"]\n }\n}\n")
		waitFor(t, "handshake failure", func() bool { return s.counter(tcp.CounterTLSHandshakeFailures) >= 1 })
		if n := len(s.events.Events()); n != 0 {
			t.Fatalf("got %d events from an untrusted server", n)
		}
	})
}

func TestThousandConnections(t *testing.T) {
	s := start(t, cfg(`codec = "json_lines"`))
	const conns, lines = 1000, 10
	var wg sync.WaitGroup
	open := make([]net.Conn, conns)
	for i := range conns {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		open[i] = c
	}
	waitFor(t, "all connections open", func() bool { return s.counter(tcp.CounterConnectionsOpen) == conns })
	for i, c := range open {
		wg.Go(func() {
			defer c.Close()
			for j := range lines {
				if _, err := fmt.Fprintf(c, `{"message": "%d-%d"}`+"\n", i, j); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	s.waitEvents(t, conns*lines)
	waitFor(t, "connections closed", func() bool { return s.counter(tcp.CounterConnectionsOpen) == 0 })
	evs := s.events.Events()
	seen := make(map[string]int, len(evs))
	for _, e := range evs {
		m, _ := e.Message()
		seen[m]++
	}
	if len(evs) != conns*lines || len(seen) != conns*lines {
		t.Fatalf("got %d events, %d distinct, want %d exactly once", len(evs), len(seen), conns*lines)
	}
	if n := s.counter(tcp.CounterConnections); n != conns {
		t.Errorf("connections = %d", n)
	}
}

func TestShutdownWithIdleConnections(t *testing.T) {
	s := start(t, cfg())
	var conns []net.Conn
	for range 50 {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	if _, err := conns[0].Write([]byte("whole\nread but not ended")); err != nil {
		t.Fatal(err)
	}
	s.waitEvents(t, 1)
	waitFor(t, "connections open", func() bool { return s.counter(tcp.CounterConnectionsOpen) == 50 })
	time.Sleep(20 * time.Millisecond) // let the partial line be read
	began := time.Now()
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			t.Fatal(err)
		}
		s.done = make(chan error, 1)
		s.done <- nil
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return with idle connections open")
	}
	if d := time.Since(began); d > 2*time.Second {
		t.Errorf("shutdown took %v", d)
	}
	evs := s.events.Events()
	if len(evs) != 2 {
		t.Fatalf("got %d events, want 2 (the partial line read before the stop is flushed)", len(evs))
	}
	if m, _ := evs[1].Message(); m != "read but not ended" {
		t.Errorf("last message %q", m)
	}
	if n := s.counter(tcp.CounterConnectionsOpen); n != 0 {
		t.Errorf("connections_open = %d after stop", n)
	}
	// The listener is closed.
	if c, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		c.Close()
		t.Error("still accepting after the stop")
	}
}

func TestGarbage(t *testing.T) {
	for _, opts := range [][]string{{`codec = "json_lines"`}, {`codec = "line"`}, {`proxy_protocol = true`}, {`codec = "json_lines"`, `ecs_compatibility = "disabled"`}} {
		t.Run(strings.Join(opts, ","), func(t *testing.T) {
			s := start(t, cfg(opts...))
			rng := rand.New(rand.NewPCG(1, 2))
			var wg sync.WaitGroup
			for range 10 {
				buf := make([]byte, 200_000)
				for i := range buf {
					buf[i] = byte(rng.IntN(256))
					if rng.IntN(50) == 0 {
						buf[i] = '\n'
					}
				}
				wg.Go(func() { send(t, s.addr, string(buf)) })
			}
			wg.Wait()
			waitFor(t, "connections closed", func() bool {
				return s.counter(tcp.CounterConnections) == 10 && s.counter(tcp.CounterConnectionsOpen) == 0
			})
			// A well-behaved sender still gets through.
			before := len(s.events.Events())
			data := "{\"message\":\"fine\"}\n"
			if opts[0] == `proxy_protocol = true` {
				data = "PROXY UNKNOWN\r\n" + data
			}
			send(t, s.addr, data)
			waitFor(t, "good event", func() bool { return len(s.events.Events()) > before })
		})
	}
}

func TestBindsWhereConfigured(t *testing.T) {
	s := start(t, cfg())
	a, ok := s.in.Addr().(*net.TCPAddr)
	if !ok || !a.IP.Equal(net.IPv4(127, 0, 0, 1)) || a.Port == 0 {
		t.Fatalf("Addr = %v, want 127.0.0.1 and the picked port", s.in.Addr())
	}
	// The port is taken: a second input on it fails to start.
	busy := strings.Replace(cfg(), "port = 0", fmt.Sprintf("port = %d", a.Port), 1)
	in2 := plugintest.Build(t, registry(), busy, pipeline.KindInput, pipeline.Deps{}).(*tcp.Input)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := in2.Run(ctx, &plugintest.Collector{}); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("Run on a busy port = %v, want a listen error", err)
	}
	select {
	case <-in2.Listening():
	default:
		t.Error("Listening not closed after a failed bind")
	}
}

func TestValidate(t *testing.T) {
	p := newPKI(t)
	garbage := filepath.Join(p.dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tlsOpts := func(extra ...string) []string {
		return append([]string{`ssl_enabled = true`, `ssl_certificate = ` + hclString(p.serverCert), `ssl_key = ` + hclString(p.serverKey)}, extra...)
	}
	for _, tc := range []struct {
		name string
		opts []string
		want string // "" means valid
	}{
		{"defaults", nil, ""},
		{"port too big", []string{`port = 70000`}, "out of range"},
		{"negative port", []string{`port = -1`}, "out of range"},
		{"bad mode", []string{`mode = "listen"`}, `unknown value "listen"`},
		{"bad ecs", []string{`ecs_compatibility = "v2"`}, `unknown value "v2"`},
		{"bad client auth", []string{`ssl_client_authentication = "maybe"`}, `unknown value "maybe"`},
		{"ssl options ignored without ssl_enabled", []string{`ssl_certificate = "/nonexistent"`}, ""},
		{"TLS server", tlsOpts(), ""},
		{"TLS server needs a cert", []string{`ssl_enabled = true`}, "a TLS server needs a certificate"},
		{"cert without key", []string{`ssl_enabled = true`, `ssl_certificate = ` + hclString(p.serverCert)}, "ssl_certificate needs ssl_key"},
		{"key without cert", []string{`ssl_enabled = true`, `ssl_key = ` + hclString(p.serverKey)}, "ssl_key needs ssl_certificate"},
		{"required needs CAs", tlsOpts(`ssl_client_authentication = "required"`), "needs certificate authorities"},
		{"optional needs CAs", tlsOpts(`ssl_client_authentication = "optional"`), "needs certificate authorities"},
		{"verification mode is for clients", tlsOpts(`ssl_verification_mode = "none"`), "client mode only"},
		{"client auth is for servers", []string{`mode = "client"`, `port = 5000`, `ssl_enabled = true`, `ssl_client_authentication = "none"`}, "server mode only"},
		{"client mode needs a port", []string{`mode = "client"`}, "client mode needs a port"},
		{"TLS client without cert", []string{`mode = "client"`, `port = 5000`, `ssl_enabled = true`}, ""},
		{"unknown protocol", tlsOpts(`ssl_supported_protocols = ["TLSv1.0"]`), `unknown protocol "TLSv1.0"`},
		{"protocols", tlsOpts(`ssl_supported_protocols = ["TLSv1.1", "TLSv1.3"]`), ""},
		{"unknown cipher", tlsOpts(`ssl_cipher_suites = ["TLS_NOPE"]`), `unknown cipher suite "TLS_NOPE"`},
		{"TLS 1.3 cipher accepted", tlsOpts(`ssl_cipher_suites = ["TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]`), ""},
		{"missing cert file", []string{`ssl_enabled = true`, `ssl_certificate = "/nonexistent/cert.pem"`, `ssl_key = ` + hclString(p.serverKey)}, "cannot read certificate file"},
		{"unparsable cert", []string{`ssl_enabled = true`, `ssl_certificate = ` + hclString(garbage), `ssl_key = ` + hclString(p.serverKey)}, "bad certificate"},
		{"key is not a key", []string{`ssl_enabled = true`, `ssl_certificate = ` + hclString(p.serverCert), `ssl_key = ` + hclString(p.caFile)}, "no PEM private key"},
		{"key does not match", []string{`ssl_enabled = true`, `ssl_certificate = ` + hclString(p.serverCert), `ssl_key = ` + hclString(p.clientKey)}, "does not match"},
		{"missing CA file", tlsOpts(`ssl_certificate_authorities = ["/nonexistent/ca.pem"]`), "cannot read certificate file"},
		{"extra chain certs", tlsOpts(`ssl_extra_chain_certs = [` + hclString(p.caFile) + `]`), ""},
		{"missing extra chain cert", tlsOpts(`ssl_extra_chain_certs = ["/nonexistent/x.pem"]`), "ssl_extra_chain_certs"},
		{"missing port", []string{"#"}, `Missing required option "port"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := "port = 0\n"
			for _, o := range tc.opts {
				if strings.HasPrefix(o, "port =") {
					body = ""
				}
			}
			if len(tc.opts) == 1 && tc.opts[0] == "#" {
				body = ""
			}
			config := "input {\n tcp {\n " + body + strings.Join(tc.opts, "\n ") + "\n }\n}\n"
			msg := loadErrors(registry(), config)
			if tc.want == "" {
				if msg != "" {
					t.Fatalf("unexpected errors:\n%s", msg)
				}
				return
			}
			if !strings.Contains(msg, tc.want) {
				t.Fatalf("errors:\n%s\nwant one containing %q", msg, tc.want)
			}
		})
	}
}

// loadErrors loads a config and returns its diagnostics as text.
func loadErrors(reg *pipeline.Registry, config string) string {
	_, diags := conf.Load([]conf.Source{{Name: "test.hcl", Data: []byte(config)}}, reg, conf.Options{})
	if !diags.HasErrors() {
		return ""
	}
	var b strings.Builder
	_ = diags.Write(&b, nil, false)
	return b.String()
}

// TestOneLineExampleLoads checks the one-line form the issue quotes; the
// README's first example is loaded by plugins/all's meta test.
func TestOneLineExampleLoads(t *testing.T) {
	if msg := loadErrors(registry(), `input { tcp { port = 5000 codec = "json_lines" } }`); msg != "" {
		t.Errorf("one-line example does not load:\n%s", msg)
	}
}

// A python-logstash sender (§4 of the reference): newline-delimited JSON
// written by a stdlib SocketHandler; the line a TCPLogstashHandler sends.
const pythonLogstashLine = `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing", "host": "vm", "path": "/srv/app/capture.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/missing'>"}` + "\n"

func TestPythonLogstash(t *testing.T) {
	s := start(t, cfg(`codec = "json"`))
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(c)
	for range 3 {
		_, _ = w.WriteString(pythonLogstashLine)
	}
	_ = w.Flush()
	c.Close()
	evs := s.waitEvents(t, 3)
	e := evs[0]
	if _, ok := e.Timestamp(); !ok {
		t.Error("no @timestamp")
	}
	if got := get(e, "host"); got != "vm" || get(e, "status_code") != int64(404) || get(e, "type") != "logstash" {
		t.Errorf("event: host %#v status %#v type %#v", got, get(e, "status_code"), get(e, "type"))
	}
	if get(e, "[@metadata][input][tcp][source][ip]") != "127.0.0.1" || get(e, "port") != nil {
		t.Errorf("ECS v8 fields wrong: %v", e.Metadata())
	}
}

func TestProxyProtocolWithTLS(t *testing.T) {
	p := newPKI(t)
	s := start(t, cfg(`proxy_protocol = true`, `ecs_compatibility = "disabled"`, `ssl_enabled = true`,
		`ssl_certificate = `+hclString(p.serverCert), `ssl_key = `+hclString(p.serverKey),
		`ssl_certificate_authorities = [`+hclString(p.caFile)+`]`))
	raw, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The header in clear text, then TLS on the same connection, as
	// HAProxy's send-proxy does in front of a TLS server.
	if _, err := raw.Write([]byte("PROXY TCP4 192.0.2.7 198.51.100.2 4000 6514\r\n")); err != nil {
		t.Fatal(err)
	}
	c := tls.Client(raw, &tls.Config{RootCAs: p.pool, ServerName: "localhost", Certificates: []tls.Certificate{p.clientPair}})
	if _, err := c.Write([]byte("over tls\n")); err != nil {
		t.Fatal(err)
	}
	c.Close()
	e := s.waitEvents(t, 1)[0]
	for ref, want := range map[string]any{"message": "over tls", "[@metadata][ip_address]": "192.0.2.7", "port": int64(4000),
		"proxy_host": "198.51.100.2", "proxy_port": int64(6514), "sslsubject": "CN=client,O=Acme"} {
		if got := get(e, ref); got != want {
			t.Errorf("%s = %#v, want %#v", ref, got, want)
		}
	}
}

func TestShutdownWithStalledHandshakes(t *testing.T) {
	p := newPKI(t)
	for _, tc := range []struct {
		name string
		opts []string
	}{
		{"TLS handshake never started", []string{`ssl_enabled = true`, `ssl_certificate = ` + hclString(p.serverCert), `ssl_key = ` + hclString(p.serverKey)}},
		{"PROXY header never sent", []string{`proxy_protocol = true`}},
		{"PROXY header half sent", []string{`proxy_protocol = true`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := start(t, cfg(tc.opts...))
			for range 20 {
				c, err := net.Dial("tcp", s.addr)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if strings.HasSuffix(tc.name, "half sent") {
					_, _ = c.Write([]byte("PROXY TCP4 1.2."))
				}
			}
			waitFor(t, "connections open", func() bool { return s.counter(tcp.CounterConnectionsOpen) == 20 })
			began := time.Now()
			s.stop(t)
			s.done = make(chan error, 1) // stopped: the cleanup's stop must not wait again
			s.done <- nil
			if d := time.Since(began); d > 2*time.Second {
				t.Errorf("shutdown took %v", d)
			}
			if n := s.counter(tcp.CounterTLSHandshakeFailures) + s.counter(tcp.CounterProxyHeaderFailures); n != 0 {
				t.Errorf("%d failures counted for connections cut by the stop", n)
			}
		})
	}
}

// gatedEmitter blocks its first EmitAll until opened, then takes each
// batch slowly: a pipeline under back-pressure.
type gatedEmitter struct {
	mu      sync.Mutex
	events  int
	entered chan struct{}
	gate    chan struct{}
	once    sync.Once
}

func (g *gatedEmitter) Emit(e *pipeline.Event) { g.EmitAll([]*pipeline.Event{e}) }

func (g *gatedEmitter) EmitAll(evs []*pipeline.Event) {
	g.once.Do(func() { close(g.entered) })
	<-g.gate
	time.Sleep(100 * time.Millisecond)
	g.mu.Lock()
	g.events += len(evs)
	g.mu.Unlock()
}

// TestStopDrainsUnderBackPressure: bytes a peer sent before the stop are
// all read even when handing them to the pipeline takes longer than the
// quiet period, and nothing is reported unread.
func TestStopDrainsUnderBackPressure(t *testing.T) {
	metrics := &pipeline.Metrics{}
	in := plugintest.Build(t, registry(), `input {
  tcp {
    host = "127.0.0.1"
    port = 0
    dns_reverse_lookup_enabled = false
  }
}`, pipeline.KindInput, pipeline.Deps{Metrics: metrics}).(*tcp.Input)
	g := &gatedEmitter{entered: make(chan struct{}), gate: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, g) }()
	<-in.Listening()

	c, err := net.Dial("tcp", in.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	const lines = 2000
	line := strings.Repeat("x", 40) + "\n"
	if _, err := c.Write([]byte(line)); err != nil {
		t.Fatal(err)
	}
	<-g.entered // the reader is now blocked handing the first line over
	if _, err := c.Write([]byte(strings.Repeat(line, lines-1))); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	// Let the bytes reach the receiver's queue (loopback: at once), then
	// stop and release.
	time.Sleep(50 * time.Millisecond)
	cancel()
	close(g.gate)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
	g.mu.Lock()
	got := g.events
	g.mu.Unlock()
	if got != lines {
		t.Errorf("%d of %d lines emitted after the stop", got, lines)
	}
	if n := metrics.Counter(tcp.CounterBytesUnreadAtStop).Load(); n != 0 {
		t.Errorf("bytes_unread_at_stop = %d, want 0", n)
	}
}
