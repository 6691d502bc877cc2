package serve

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeproject/pipe/cmd/faulty/internal/dist"
	"github.com/pipeproject/pipe/cmd/faulty/internal/load"
	"github.com/pipeproject/pipe/cmd/faulty/internal/pylog"
	"github.com/pipeproject/pipe/cmd/faulty/internal/sender"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// capture is a Sink that keeps what it is given.
type capture struct {
	mu    sync.Mutex
	items []sender.Item
}

func (c *capture) Send(it sender.Item) {
	c.mu.Lock()
	c.items = append(c.items, it)
	c.mu.Unlock()
}

func (c *capture) all() []sender.Item {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sender.Item(nil), c.items...)
}

func choice(t *testing.T, spec string, names []string) *dist.Choice {
	t.Helper()
	sp, err := dist.ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	c, err := dist.NewChoice(sp, names, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var fixed = time.Date(2026, 5, 6, 7, 8, 9, 10_000_000, time.UTC)

func config(t *testing.T, rate float64) Config {
	return Config{
		Formatter: pylog.Formatter{Version: 1, Host: "web-1"},
		Python:    "3.11",
		ErrorRate: dist.ErrorRate{Base: rate},
		Kinds:     choice(t, "zipf", DefaultExceptionKinds()),
		MIMEs:     choice(t, "zipf", []string{"text/html", "application/json", "image/png"}),
		Levels:    choice(t, "weighted:INFO=60,WARNING=25,ERROR=10,CRITICAL=5", Levels()),
		Seed:      1,
		Now:       func() time.Time { return fixed },
		Log:       quiet(),
	}
}

func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("invalid JSON %s: %v", data, err)
	}
	return m
}

func TestNotFound(t *testing.T) {
	sink := &capture{}
	app, err := NewApp(config(t, 0), sink)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	srv := httptest.NewServer(app)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/missing/page?x=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || !strings.Contains(string(body), "Page not found") {
		t.Fatalf("status %d body %q", resp.StatusCode, body)
	}
	items := sink.all()
	if len(items) != 1 {
		t.Fatalf("%d records", len(items))
	}
	want := `{"@timestamp": "2026-05-06T07:08:09.010Z", "@version": "1", "message": "Not Found: /missing/page", "host": "web-1", "path": "/usr/local/lib/python3.11/site-packages/django/utils/log.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "status_code": 404, "request": "<WSGIRequest: GET '/missing/page?x=1'>"}`
	if got := string(items[0].Data); got != want {
		t.Fatalf("record\n%s\nwant\n%s", got, want)
	}
	if items[0].Meta != (sender.Meta{Logger: RequestLogger, Level: "WARNING"}) {
		t.Fatalf("meta %+v", items[0].Meta)
	}
}

var lastLine = regexp.MustCompile(`\n([A-Za-z]+Error)(: [^\n]+)?\n$`)

func TestServerError(t *testing.T) {
	cfg := config(t, 1)
	cfg.Kinds = choice(t, "uniform", ExceptionKinds())
	sink := &capture{}
	app, err := NewApp(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	srv := httptest.NewServer(app)
	defer srv.Close()
	seen := map[string]bool{}
	for range 200 {
		resp, err := http.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 500 {
			t.Fatalf("status %d with error rate 1", resp.StatusCode)
		}
	}
	for _, it := range sink.all() {
		m := decode(t, it.Data)
		st := m["stack_trace"].(string)
		sub := lastLine.FindStringSubmatch(st)
		if sub == nil || sub[1] != it.Meta.Kind {
			t.Fatalf("stack trace of %s ends %q", it.Meta.Kind, st[max(0, len(st)-80):])
		}
		if it.Meta.Kind == "AssertionError" && sub[2] == "" {
			seen["bare AssertionError"] = true
		}
		seen[it.Meta.Kind] = true
		if !strings.HasPrefix(st, "Traceback (most recent call last):\n  File \"") ||
			m["message"] != "Internal Server Error: /" || m["level"] != "ERROR" || m["status_code"] != 500.0 ||
			m["request"] != "<WSGIRequest: GET '/'>" || m["lineno"] != 241.0 || m["process"] != float64(os.Getpid()) ||
			m["thread_name"] != "MainThread" {
			t.Fatalf("record %s", it.Data)
		}
	}
	for _, k := range append(ExceptionKinds(), "bare AssertionError") {
		if !seen[k] {
			t.Errorf("no %s in 200 failures", k)
		}
	}
}

func TestTracebackLastLine(t *testing.T) {
	want := map[string]string{
		"IndexError": "IndexError: list index out of range",
		"KeyError":   "KeyError: 'user'",
	}
	for _, e := range exceptions() {
		t.Run(e.kind, func(t *testing.T) {
			tb := traceback("3.12", e, e.messages[0])
			lines := strings.Split(strings.TrimSuffix(tb, "\n"), "\n")
			last := lines[len(lines)-1]
			if w, ok := want[e.kind]; ok && last != w {
				t.Fatalf("last line %q, want %q", last, w)
			}
			if e.kind == "AssertionError" && last != "AssertionError" {
				t.Fatalf("last line %q", last)
			}
			if !strings.Contains(tb, "/usr/local/lib/python3.12/site-packages/django/core/handlers/base.py") {
				t.Fatalf("traceback does not name Python 3.12's site-packages:\n%s", tb)
			}
			// A marker line sits under the code it marks.
			for i, l := range lines {
				if strings.Trim(l, " ~^") == "" && strings.ContainsAny(l, "^") && len(l) > len(lines[i-1]) {
					t.Fatalf("marker longer than its line:\n%s\n%s", lines[i-1], l)
				}
			}
		})
	}
}

func TestContentAndWorker(t *testing.T) {
	sink := &capture{}
	app, err := NewApp(config(t, 0), sink)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	type got struct{ sum, mime string }
	var served []got
	for range 50 {
		resp, err := http.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d with error rate 0", resp.StatusCode)
		}
		lines := strings.Split(string(body), "\n")
		n := 0
		for i, l := range lines {
			n += len(l)
			if len(l) > WrapColumn || i < len(lines)-1 && len(l) != WrapColumn {
				t.Fatalf("line %d has %d characters", i, len(l))
			}
		}
		if n < MinContent || n > MaxContent {
			t.Fatalf("%d characters", n)
		}
		s := sha1.Sum(body)
		served = append(served, got{hex.EncodeToString(s[:]) + " " + strconv.Itoa(len(body)), resp.Header.Get("Content-Type")})
	}
	srv.Close()
	app.Close()
	items := sink.all()
	if len(items) != len(served) {
		t.Fatalf("%d worker records for %d responses", len(items), len(served))
	}
	for i, it := range items {
		m := decode(t, it.Data)
		want := served[i].sum + " " + served[i].mime
		if m["message"] != want || m["logger_name"] != TaskLogger || it.Meta.MIME != served[i].mime ||
			m["path"] != TasksPath || m["level"] != it.Meta.Level {
			t.Fatalf("record %s, want message %q", it.Data, want)
		}
	}
}

func TestQueueFullDropsTask(t *testing.T) {
	cfg := config(t, 0)
	cfg.QueueSize = 1
	blocked := make(chan struct{})
	sink := &blockingSink{release: blocked}
	app, err := NewApp(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	for range 10 {
		resp, err := http.Get(srv.URL + "/")
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	srv.Close()
	close(blocked)
	app.Close()
	_, queued, dropped := app.Counts()
	// The worker holds one task, the queue one more; requests never wait.
	if queued+dropped != 10 || dropped < 8 || queued != sink.n {
		t.Fatalf("queued %d dropped %d logged %d", queued, dropped, sink.n)
	}
}

type blockingSink struct {
	release chan struct{}
	n       int
}

func (b *blockingSink) Send(sender.Item) {
	<-b.release
	b.n++
}

func TestReproducibleWithSeed(t *testing.T) {
	run := func() []string {
		cfg := config(t, 0.3)
		sink := &capture{}
		app, err := NewApp(cfg, sink)
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(app)
		for range 100 {
			resp, err := http.Get(srv.URL + "/")
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		srv.Close()
		app.Close()
		var out []string
		for _, it := range sink.all() {
			out = append(out, string(it.Data))
		}
		// The worker logs asynchronously: records of the two loggers may
		// interleave differently, each logger's own sequence may not.
		slices.Sort(out)
		return out
	}
	a, b := run(), run()
	if strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Fatal("two runs with the same seed and one client sent different records")
	}
}

// received counts records the way the summary does.
type received struct {
	total                  int
	loggers, levels, kinds map[string]int
	mimes                  map[string]int
	loggerLevels           map[string]map[string]int
}

func count(t *testing.T, records []string) received {
	r := received{loggers: map[string]int{}, levels: map[string]int{}, kinds: map[string]int{},
		mimes: map[string]int{}, loggerLevels: map[string]map[string]int{}}
	for _, rec := range records {
		m := decode(t, []byte(rec))
		logger, level := m["logger_name"].(string), m["level"].(string)
		r.total++
		r.loggers[logger]++
		r.levels[level]++
		if r.loggerLevels[logger] == nil {
			r.loggerLevels[logger] = map[string]int{}
		}
		r.loggerLevels[logger][level]++
		if st, ok := m["stack_trace"].(string); ok {
			r.kinds[lastLine.FindStringSubmatch(st)[1]]++
		}
		if logger == TaskLogger {
			f := strings.Fields(m["message"].(string))
			r.mimes[f[2]]++
		}
	}
	return r
}

func equal(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestServeAndLoad(t *testing.T) {
	for _, transport := range []string{"tcp", "udp"} {
		t.Run(transport, func(t *testing.T) {
			var records []string
			var mu sync.Mutex
			var target string
			var stopListener func()
			switch transport {
			case "tcp":
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				target = "tcp://" + ln.Addr().String()
				done := make(chan struct{})
				go func() {
					defer close(done)
					c, err := ln.Accept()
					if err != nil {
						return
					}
					sc := bufio.NewScanner(c)
					sc.Buffer(nil, 1<<20)
					for sc.Scan() {
						mu.Lock()
						records = append(records, sc.Text())
						mu.Unlock()
					}
				}()
				stopListener = func() { ln.Close(); <-done }
			case "udp":
				pc, err := net.ListenPacket("udp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				if u, ok := pc.(*net.UDPConn); ok {
					_ = u.SetReadBuffer(8 << 20)
				}
				target = "udp://" + pc.LocalAddr().String()
				done := make(chan struct{})
				go func() {
					defer close(done)
					buf := make([]byte, 65536)
					for {
						n, _, err := pc.ReadFrom(buf)
						if err != nil {
							return
						}
						if string(buf[:n]) == "stop" {
							return
						}
						mu.Lock()
						records = append(records, string(buf[:n]))
						mu.Unlock()
					}
				}()
				stopListener = func() {
					c, _ := net.Dial("udp", pc.LocalAddr().String())
					_, _ = c.Write([]byte("stop"))
					c.Close()
					<-done
					pc.Close()
				}
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			cfg := config(t, 0.25)
			cfg.Now = nil
			cfg.ErrorRate.Start = time.Now()
			ctx, cancel := context.WithCancel(context.Background())
			type result struct {
				s   *Summary
				err error
			}
			done := make(chan result, 1)
			go func() {
				// A long dial timeout: a loaded test machine must not turn into a drop.
				s, err := Run(ctx, Options{Listener: ln, LogTo: target, App: cfg, Sender: sender.Options{Logger: quiet(), DialTimeout: time.Minute}})
				done <- result{s, err}
			}()
			const n = 200
			res, err := load.Run(context.Background(), load.Options{URL: "http://" + ln.Addr().String() + "/", N: n, C: 10})
			if err != nil {
				t.Fatal(err)
			}
			if res.Complete != n || res.Failed != 0 {
				t.Fatalf("load: %+v", res)
			}
			cancel()
			r := <-done
			if r.err != nil {
				t.Fatal(r.err)
			}
			stopListener()
			sum := r.s
			if sum.Requests != n || sum.Total != n || sum.Dropped != 0 || sum.TasksDropped != 0 {
				t.Fatalf("summary: requests %d total %d dropped %d (%v) tasks dropped %d", sum.Requests, sum.Total, sum.Dropped, sum.DropReasons, sum.TasksDropped)
			}
			if sum.Statuses["200"] != res.Statuses["200"] || sum.Statuses["500"] != res.Statuses["500"] {
				t.Fatalf("statuses: served %v, load saw %v", sum.Statuses, res.Statuses)
			}
			mu.Lock()
			got := count(t, records)
			mu.Unlock()
			if got.total != sum.Total || !equal(got.loggers, sum.Loggers) || !equal(got.levels, sum.Levels) ||
				!equal(got.kinds, sum.ExceptionKinds) || !equal(got.mimes, sum.MIMETypes) {
				t.Fatalf("received %+v\nsummary %+v", got, sum.Snapshot)
			}
			for l, m := range got.loggerLevels {
				if !equal(m, sum.LoggerLevels[l]) {
					t.Fatalf("logger %s: received %v, summary %v", l, m, sum.LoggerLevels[l])
				}
			}
			if sum.Loggers[RequestLogger] != sum.Statuses["500"] || sum.Loggers[TaskLogger] != sum.Statuses["200"] {
				t.Fatalf("loggers %v for statuses %v", sum.Loggers, sum.Statuses)
			}
			var sb strings.Builder
			if err := sum.WriteText(&sb); err != nil || !strings.Contains(sb.String(), "example.tasks") {
				t.Fatalf("text summary %q, %v", sb.String(), err)
			}
		})
	}
}

func TestLoadTypes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var globs, mt strings.Builder
	globs.WriteString("# comment\n50:text/html:*.html\n50:application/x-thing:*.[ch]\n50:text/x-readme:README\n")
	mt.WriteString("# comment\napplication/no-extension\ntext/plain txt\n")
	for i := range 30 {
		globs.WriteString("50:application/x-type" + strconv.Itoa(i) + ":*.t" + strconv.Itoa(i) + "\n")
		mt.WriteString("application/x-mt" + strconv.Itoa(i) + " m" + strconv.Itoa(i) + "\n")
	}
	g := write("globs2", globs.String())
	m := write("mime.types", mt.String())
	small := write("small.types", "text/plain txt\n")

	t.Run("globs first, common types ranked first", func(t *testing.T) {
		got := LoadTypes([]string{filepath.Join(dir, "absent"), g}, []string{m})
		if got[0] != "text/html" || got[1] != "application/json" {
			t.Fatalf("head %q", got[:3])
		}
		set := map[string]bool{}
		for _, ty := range got {
			set[ty] = true
		}
		if !set["application/x-type7"] || set["application/x-thing"] || set["text/x-readme"] || set["application/x-mt1"] {
			t.Fatalf("types %q", got)
		}
	})
	t.Run("mime.types when no globs", func(t *testing.T) {
		got := LoadTypes([]string{filepath.Join(dir, "absent")}, []string{m})
		set := map[string]bool{}
		for _, ty := range got {
			set[ty] = true
		}
		if !set["application/x-mt3"] || !set["text/plain"] || set["application/no-extension"] {
			t.Fatalf("types %q", got)
		}
	})
	t.Run("built-in list when the map is small", func(t *testing.T) {
		got := LoadTypes(nil, []string{small})
		if len(got) < MinSystemTypes || got[0] != "text/html" {
			t.Fatalf("types %q", got)
		}
	})
}

func TestNewAppRejectsUnknownKind(t *testing.T) {
	cfg := config(t, 0)
	cfg.Kinds = choice(t, "uniform", []string{"KeyError", "SegmentationFault"})
	if _, err := NewApp(cfg, &capture{}); err == nil {
		t.Fatal("unknown kind accepted")
	}
}

func BenchmarkServeContent(b *testing.B) {
	sp, _ := dist.ParseSpec("zipf")
	kinds, _ := dist.NewChoice(sp, DefaultExceptionKinds(), nil)
	mimes, _ := dist.NewChoice(sp, []string{"text/html", "application/json"}, nil)
	levels, _ := dist.NewChoice(dist.Spec{Kind: dist.Uniform}, Levels(), nil)
	app, _ := NewApp(Config{Formatter: pylog.Formatter{Version: 1, Host: "h"}, ErrorRate: dist.ErrorRate{Base: 0.25},
		Kinds: kinds, MIMEs: mimes, Levels: levels, QueueSize: 1 << 16, Log: quiet()}, nopSink{})
	defer app.Close()
	req := httptest.NewRequest("GET", "/", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		app.ServeHTTP(w, req)
	}
}

type nopSink struct{}

func (nopSink) Send(sender.Item) {}

func TestServerErrorBytes(t *testing.T) {
	cfg := config(t, 1)
	cfg.Python = "3.12"
	cfg.Formatter.TaskName = true
	cfg.Kinds = choice(t, "weighted:IndexError=1", nil)
	sink := &capture{}
	app, err := NewApp(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	w := httptest.NewRecorder()
	app.ServeHTTP(w, httptest.NewRequest("POST", "/", nil))
	if w.Code != 500 || !strings.Contains(w.Body.String(), "Server error") {
		t.Fatalf("status %d body %q", w.Code, w.Body.String())
	}
	sp := "/usr/local/lib/python3.12/site-packages"
	want := `{"@timestamp": "2026-05-06T07:08:09.010Z", "@version": "1", "message": "Internal Server Error: /", "host": "web-1", "path": "` + sp + `/django/utils/log.py", "tags": [], "type": "logstash", "level": "ERROR", "logger_name": "django.request", "taskName": null, "status_code": 500, "request": "<WSGIRequest: POST '/'>", ` +
		`"stack_trace": "Traceback (most recent call last):\n` +
		`  File \"` + sp + `/django/core/handlers/exception.py\", line 55, in inner\n    response = get_response(request)\n               ^^^^^^^^^^^^^^^^^^^^^\n` +
		`  File \"` + sp + `/django/core/handlers/base.py\", line 197, in _get_response\n    response = wrapped_callback(request, *callback_args, **callback_kwargs)\n               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n` +
		`  File \"/srv/faulty/example/views.py\", line 58, in index\n    return FAILURES[kind](request)\n           ^^^^^^^^^^^^^^^^^^^^^^^\n` +
		`  File \"/srv/faulty/example/views.py\", line 23, in latest_item\n    return items[len(items)]\n           ~~~~~^^^^^^^^^^^^\n` +
		`IndexError: list index out of range\n", "lineno": 241, "process": ` + strconv.Itoa(os.Getpid()) + `, "thread_name": "MainThread"}`
	items := sink.all()
	if len(items) != 1 || string(items[0].Data) != want {
		t.Fatalf("records %d; got\n%s\nwant\n%s", len(items), items[0].Data, want)
	}
}

func TestBurstRaisesErrorRate(t *testing.T) {
	start := time.Date(2026, 5, 6, 7, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	now := start
	cfg := config(t, 0)
	b, err := dist.ParseBurst("every=60s,for=10s,rate=1")
	if err != nil {
		t.Fatal(err)
	}
	cfg.ErrorRate = dist.ErrorRate{Base: 0, Bursts: []dist.Burst{b}, Start: start}
	cfg.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	app, err := NewApp(cfg, &capture{})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	status := func(at time.Duration) int {
		mu.Lock()
		now = start.Add(at)
		mu.Unlock()
		w := httptest.NewRecorder()
		app.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		return w.Code
	}
	for _, tt := range []struct {
		at   time.Duration
		want int
	}{{0, 500}, {5 * time.Second, 500}, {10 * time.Second, 200}, {30 * time.Second, 200}, {61 * time.Second, 500}, {75 * time.Second, 200}} {
		for range 20 {
			if got := status(tt.at); got != tt.want {
				t.Fatalf("at +%s: status %d, want %d", tt.at, got, tt.want)
			}
		}
	}
}
