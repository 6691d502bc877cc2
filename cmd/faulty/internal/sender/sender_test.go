package sender

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fakeClock is a settable clock for the reconnection back-off.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func item(i int) Item {
	lvl := []string{"INFO", "WARNING", "ERROR"}[i%3]
	return Item{Data: fmt.Appendf(nil, `{"n": %d, "level": %q}`, i, lvl), Meta: Meta{Logger: "example.tasks", Level: lvl, MIME: "text/plain"}}
}

func TestUDPDeliversEveryRecord(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	const n = 300
	got := make(chan string, n)
	go func() {
		buf := make([]byte, 65536)
		for {
			k, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			got <- string(buf[:k])
		}
	}()
	s, err := New("udp://"+pc.LocalAddr().String(), Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		s.Send(item(i))
		if i%50 == 49 {
			// Let the reader keep up so the kernel's buffer never overflows.
			for len(got) < i-100 {
				time.Sleep(time.Millisecond)
			}
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range n {
		d := <-got
		if strings.HasSuffix(d, "\n") {
			t.Fatalf("datagram ends with a newline: %q", d)
		}
		seen[d] = true
	}
	for i := range n {
		if !seen[string(item(i).Data)] {
			t.Fatalf("record %d not received", i)
		}
	}
	st := s.Stats()
	if st.Total != n || st.Dropped != 0 || st.Loggers["example.tasks"] != n || st.Levels["INFO"] != n/3 ||
		st.MIMETypes["text/plain"] != n || st.LoggerLevels["example.tasks"]["ERROR"] != n/3 {
		t.Fatalf("stats %+v", st)
	}
}

// lineServer accepts connections and sends every line it reads to lines.
func lineServer(t *testing.T, ln net.Listener, lines chan<- string) (stop func()) {
	t.Helper()
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					lines <- sc.Text()
				}
			})
		}
	})
	return func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

func TestTCPDeliversEveryRecord(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	lines := make(chan string, n)
	stop := lineServer(t, ln, lines)
	s, err := New("tcp://"+ln.Addr().String(), Options{Logger: quiet(), DialTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		s.Send(item(i))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if got, want := <-lines, string(item(i).Data); got != want {
			t.Fatalf("line %d = %s, want %s", i, got, want)
		}
	}
	stop()
	if st := s.Stats(); st.Total != n || st.Dropped != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestTCPReconnectsAfterListenerRestart(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	lines := make(chan string, 100)
	stop := lineServer(t, ln, lines)
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	s, err := New("tcp://"+addr, Options{Logger: quiet(), Now: clock.Now, Buffer: 1, DialTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// sendWait hands one record to the sender and waits until it is
	// counted sent or dropped.
	sendWait := func(i int) {
		before := s.Stats()
		s.Send(item(i))
		for {
			st := s.Stats()
			if st.Total+st.Dropped > before.Total+before.Dropped {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	sendWait(0)
	if got := <-lines; got != string(item(0).Data) {
		t.Fatalf("first line %s", got)
	}
	stop() // the listener and its connection go away

	sendWait(1) // peer closed: reconnecting is refused, dropped, retry in 1 s
	sendWait(2) // within the back-off: dropped without trying
	if st := s.Stats(); st.Dropped != 2 || st.DropReasons["disconnected"] != 1 || st.DropReasons["refused"] != 1 {
		t.Fatalf("after the listener went away: %+v", st)
	}

	ln2, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen again on %s: %v", addr, err)
	}
	stop2 := lineServer(t, ln2, lines)
	defer stop2()
	sendWait(3) // still within the back-off
	clock.Advance(RetryStart)
	sendWait(4)
	if got := <-lines; got != string(item(4).Data) {
		t.Fatalf("after reconnecting got %s, want record 4", got)
	}
	if st := s.Stats(); st.Total != 2 || st.Dropped != 3 {
		t.Fatalf("stats %+v", st)
	}
}

// freeAddr returns a loopback address where nobody listens.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func TestTCPDropsWhenNobodyListens(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	s, err := New("tcp://"+freeAddr(t), Options{Logger: quiet(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	for i := range n {
		s.Send(item(i))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Total != 0 || st.Dropped != n || st.DroppedLoggers["example.tasks"] != n {
		t.Fatalf("stats %+v", st)
	}
	// One connection attempt (refused); the rest wait for the retry time.
	if st.DropReasons["refused"] != 1 || st.DropReasons["disconnected"] != n-1 {
		t.Fatalf("drop reasons %v", st.DropReasons)
	}
	s.Send(item(0))
	if got := s.Stats(); got.Dropped != n+1 || got.DropReasons["closed"] != 1 {
		t.Fatalf("send after close: %+v", got)
	}
}

func TestUDPDropsWhenNobodyListens(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("relies on Linux reporting ICMP port unreachable on loopback at once")
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	_ = pc.Close()
	s, err := New("udp://"+addr, Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	const n = 100
	for i := range n {
		s.Send(item(i))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	// The refusal of the last datagram may only show on a later write.
	if st.Total+st.Dropped != n || st.Dropped < n-1 || st.DropReasons["refused"] != st.Dropped {
		t.Fatalf("stats %+v", st)
	}
	if st.Total == 0 && (len(st.Loggers) != 0 || len(st.Levels) != 0 || len(st.LoggerLevels) != 0 || len(st.MIMETypes) != 0) {
		t.Fatalf("zero counts left behind: %+v", st)
	}
}

func TestUnsend(t *testing.T) {
	var s Stats
	s.init()
	m := Meta{Logger: "django.request", Level: "ERROR", Kind: "KeyError"}
	s.sent(m)
	s.sent(Meta{Logger: "django.request", Level: "WARNING"})
	s.unsend(m, "refused")
	got := s.snapshot()
	if got.Total != 1 || got.Dropped != 1 || got.Loggers["django.request"] != 1 || len(got.ExceptionKinds) != 0 ||
		len(got.LoggerLevels["django.request"]) != 1 || got.Levels["ERROR"] != 0 || got.DropReasons["refused"] != 1 {
		t.Fatalf("stats %+v", got)
	}
}

func TestTCPBackoff(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	tr := &tcpTransport{addr: freeAddr(t), opts: Options{DialTimeout: time.Second, WriteTimeout: time.Second, Now: clock.Now}}
	want := []time.Duration{1, 2, 4, 8, 16, 30, 30}
	for i, w := range want {
		if err := tr.write([]byte("x")); err == nil {
			t.Fatal("write succeeded with nobody listening")
		}
		if tr.retryWait != w*time.Second {
			t.Fatalf("attempt %d: wait %s, want %s", i, tr.retryWait, w*time.Second)
		}
		// Before the retry time no connection is tried.
		clock.Advance(tr.retryWait - time.Millisecond)
		if err := tr.write([]byte("x")); err != errRetryWait {
			t.Fatalf("attempt %d: within the back-off got %v", i, err)
		}
		clock.Advance(time.Millisecond)
	}
}

func TestBufferFullIsCounted(t *testing.T) {
	// A sender whose goroutine is not running: the buffer fills up.
	s := &Sender{ch: make(chan Item, 2), done: make(chan struct{}), log: quiet()}
	s.stats.init()
	for i := range 5 {
		s.Send(item(i))
	}
	if st := s.Stats(); st.Dropped != 3 || st.DropReasons["buffer full"] != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestNewErrors(t *testing.T) {
	for _, target := range []string{"127.0.0.1:5000", "http://127.0.0.1:5000", "udp://127.0.0.1", "tcp://", "::"} {
		t.Run(target, func(t *testing.T) {
			if s, err := New(target, Options{}); err == nil {
				_ = s.Close()
				t.Fatalf("New(%q) accepted", target)
			}
		})
	}
}

// BenchmarkWrite measures one record through each transport (peek, or
// refusal check, and the write syscall), the sender goroutine's cost.
func BenchmarkWrite(b *testing.B) {
	data := []byte(`{"@timestamp": "2026-03-04T04:06:07.891Z", "@version": "1", "message": "da39a3ee5e6b4b0d3255bfef95601890afd80709 538 text/plain", "host": "w", "path": "/srv/tasks.py", "tags": [], "type": "logstash", "level": "INFO", "logger_name": "example.tasks"}`)
	b.Run("tcp", func(b *testing.B) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer ln.Close()
		go func() {
			c, err := ln.Accept()
			if err == nil {
				_, _ = io.Copy(io.Discard, c)
			}
		}()
		tr := &tcpTransport{addr: ln.Addr().String(), opts: Options{DialTimeout: time.Second, WriteTimeout: 5 * time.Second, Now: time.Now}}
		defer tr.close()
		b.ReportAllocs()
		for b.Loop() {
			if err := tr.write(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("udp", func(b *testing.B) {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer pc.Close()
		go func() {
			buf := make([]byte, 65536)
			for {
				if _, _, err := pc.ReadFrom(buf); err != nil {
					return
				}
			}
		}()
		c, err := net.Dial("udp", pc.LocalAddr().String())
		if err != nil {
			b.Fatal(err)
		}
		tr := &udpTransport{conn: c}
		defer tr.close()
		b.ReportAllocs()
		for b.Loop() {
			if err := tr.write(data); err != nil {
				b.Fatal(err)
			}
			_ = refusedNow(c)
		}
	})
}
