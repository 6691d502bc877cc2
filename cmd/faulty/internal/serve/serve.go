// Package serve is `faulty serve`: a Go rewrite of a small Django service
// that fails on purpose. Its one view raises an exception now and then
// (answering 500) or serves random content of a random MIME type and hands
// the content to a background worker; unknown paths answer 404. Records
// go out as python-logstash's handler would send them, and at the end the
// server reports what it sent.
package serve

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/pipeproject/pipe/cmd/faulty/internal/dist"
	"github.com/pipeproject/pipe/cmd/faulty/internal/pylog"
	"github.com/pipeproject/pipe/cmd/faulty/internal/sender"
)

// Logger names, as in the original: Django's request logger and the
// worker's task module.
const (
	RequestLogger = "django.request"
	TaskLogger    = "example.tasks"
)

// Levels are the worker's levels, in the original's order.
func Levels() []string { return []string{"INFO", "WARNING", "ERROR", "CRITICAL"} }

// Content sizes and wrapping of the served text.
const (
	MinContent = 512
	MaxContent = 2048
	WrapColumn = 50
)

// Config is an App's behaviour.
type Config struct {
	// Formatter formats the records (version, host, tags, type).
	Formatter pylog.Formatter
	// Python is the Python version the paths name ("3.11", "3.12").
	Python string
	// ErrorRate is the chance of an exception over time.
	ErrorRate dist.ErrorRate
	// Kinds, MIMEs and Levels are the distributions of exception kinds,
	// served MIME types and worker levels.
	Kinds, MIMEs, Levels *dist.Choice
	// Seed seeds the random choices.
	Seed uint64
	// QueueSize bounds the worker queue (default 1000).
	QueueSize int
	// Workers is the number of worker goroutines (default 1).
	Workers int
	// ThreadName is the thread_name of exception records (default
	// "MainThread").
	ThreadName string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives faulty's own diagnostics (default slog.Default()).
	Log *slog.Logger
}

type task struct {
	content []byte
	length  int
	mime    string
}

// App is the HTTP handler and its background worker.
type App struct {
	cfg      Config
	sink     sender.Sink
	reqRand  *dist.Rand
	workRand *dist.Rand
	excs     map[string]exception
	pid      int
	tasks    chan task
	wg       sync.WaitGroup
	closing  sync.Once

	mu           sync.Mutex
	statuses     map[int]int
	tasksQueued  int
	tasksDropped int
}

var _ http.Handler = (*App)(nil)

// NewApp builds the app and starts its workers; records go to sink.
func NewApp(cfg Config, sink sender.Sink) (*App, error) {
	if cfg.Kinds == nil || cfg.MIMEs == nil || cfg.Levels == nil {
		return nil, errors.New("serve: the kind, MIME type and level distributions are required")
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 1000
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.ThreadName == "" {
		cfg.ThreadName = "MainThread"
	}
	if cfg.Python == "" {
		cfg.Python = "3.11"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	a := &App{
		cfg: cfg, sink: sink,
		reqRand:  dist.NewRand(cfg.Seed),
		workRand: dist.NewRand(cfg.Seed ^ 0x5bd1e9955bd1e995),
		excs:     map[string]exception{},
		pid:      os.Getpid(),
		tasks:    make(chan task, cfg.QueueSize),
		statuses: map[int]int{},
	}
	for _, e := range exceptions() {
		a.excs[e.kind] = e
	}
	for _, k := range cfg.Kinds.Names() {
		if _, ok := a.excs[k]; !ok {
			return nil, fmt.Errorf("serve: unknown exception kind %q", k)
		}
	}
	a.wg.Add(cfg.Workers)
	for range cfg.Workers {
		go a.work()
	}
	return a, nil
}

// Close stops taking tasks and waits until the queued ones are logged.
// The handler must not be called after Close.
func (a *App) Close() {
	a.closing.Do(func() { close(a.tasks) })
	a.wg.Wait()
}

// ServeHTTP is the Django project's URL conf: "/" is the view, anything
// else is 404.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		a.notFound(w, r)
		return
	}
	if a.reqRand.Float64() < a.cfg.ErrorRate.At(a.cfg.Now()) {
		a.fail(w, r)
		return
	}
	a.content(w)
}

func (a *App) count(status int) {
	a.mu.Lock()
	a.statuses[status]++
	a.mu.Unlock()
}

// requestRepr is repr(WSGIRequest): the method and get_full_path().
func requestRepr(r *http.Request) string {
	full := r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		full += "?" + r.URL.RawQuery
	}
	return "<WSGIRequest: " + r.Method + " " + pylog.Repr(full) + ">"
}

const notFoundPage = `<!doctype html>
<html lang="en">
<head><title>Page not found</title></head>
<body><h1>Page not found</h1><p>Nothing lives at this address.</p></body>
</html>
`

const errorPage = `<!doctype html>
<html lang="en">
<head><title>Server error</title></head>
<body><h1>Server error (500)</h1><p>Something broke; it has been logged.</p></body>
</html>
`

func (a *App) notFound(w http.ResponseWriter, r *http.Request) {
	a.emit(&pylog.Record{
		Message: "Not Found: " + r.URL.Path, Logger: RequestLogger, Level: "WARNING",
		Pathname: DjangoLogPath(a.cfg.Python),
		Extras:   []pylog.Field{{Key: "status_code", Value: 404}, {Key: "request", Value: requestRepr(r)}},
	}, sender.Meta{Logger: RequestLogger, Level: "WARNING"})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(notFoundPage))
	a.count(http.StatusNotFound)
}

func (a *App) fail(w http.ResponseWriter, r *http.Request) {
	e := a.excs[a.cfg.Kinds.Pick(a.reqRand)]
	msg := e.messages[a.reqRand.IntN(len(e.messages))]
	a.emit(&pylog.Record{
		Message: "Internal Server Error: " + r.URL.Path, Logger: RequestLogger, Level: "ERROR",
		Pathname: DjangoLogPath(a.cfg.Python),
		Extras:   []pylog.Field{{Key: "status_code", Value: 500}, {Key: "request", Value: requestRepr(r)}},
		Exc: &pylog.ExcInfo{StackTrace: traceback(a.cfg.Python, e, msg), Lineno: logResponseLine,
			Process: a.pid, ThreadName: a.cfg.ThreadName},
	}, sender.Meta{Logger: RequestLogger, Level: "ERROR", Kind: e.kind})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(errorPage))
	a.count(http.StatusInternalServerError)
}

const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Content returns n random characters drawn by r, wrapped at WrapColumn
// columns (lines joined by "\n", no newline at the end).
func Content(r *rand.Rand, n int) []byte {
	b := make([]byte, 0, n+n/WrapColumn)
	for i := range n {
		if i > 0 && i%WrapColumn == 0 {
			b = append(b, '\n')
		}
		b = append(b, alphabet[r.IntN(len(alphabet))])
	}
	return b
}

func (a *App) content(w http.ResponseWriter) {
	local := rand.New(rand.NewPCG(a.reqRand.Uint64(), 0))
	body := Content(local, MinContent+local.IntN(MaxContent-MinContent+1))
	mime := a.cfg.MIMEs.Pick(a.reqRand)
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
	a.count(http.StatusOK)

	select {
	case a.tasks <- task{content: body, length: len(body), mime: mime}:
		a.mu.Lock()
		a.tasksQueued++
		a.mu.Unlock()
	default:
		a.mu.Lock()
		a.tasksDropped++
		n := a.tasksDropped
		a.mu.Unlock()
		if n == 1 || n%100 == 0 {
			a.cfg.Log.Warn("worker queue full: task dropped", "dropped_so_far", n, "queue_size", a.cfg.QueueSize)
		}
	}
}

// work is the celery worker: it logs the content's digest, length and type
// at a random level.
func (a *App) work() {
	defer a.wg.Done()
	for t := range a.tasks {
		sum := sha1.Sum(t.content)
		level := a.cfg.Levels.Pick(a.workRand)
		a.emit(&pylog.Record{
			Message:  hex.EncodeToString(sum[:]) + " " + strconv.Itoa(t.length) + " " + t.mime,
			Logger:   TaskLogger,
			Level:    level,
			Pathname: TasksPath,
		}, sender.Meta{Logger: TaskLogger, Level: level, MIME: t.mime})
	}
}

func (a *App) emit(rec *pylog.Record, meta sender.Meta) {
	rec.Created = a.cfg.Now()
	a.sink.Send(sender.Item{Data: a.cfg.Formatter.Append(nil, rec), Meta: meta})
}

// Counts returns the requests answered per status and the worker tasks
// queued and dropped.
func (a *App) Counts() (statuses map[int]int, queued, dropped int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	statuses = make(map[int]int, len(a.statuses))
	for k, v := range a.statuses {
		statuses[k] = v
	}
	return statuses, a.tasksQueued, a.tasksDropped
}

// Summary is what a run sent: the sender's counts plus the requests.
type Summary struct {
	// Seed reproduces the run's choices.
	Seed uint64 `json:"seed"`
	// LogTo is the transport.
	LogTo string `json:"log_to"`
	// LogVersion is the python-logstash format version.
	LogVersion int `json:"log_version"`
	// Requests is the number of requests answered.
	Requests int `json:"requests"`
	// Statuses counts requests per HTTP status.
	Statuses map[string]int `json:"statuses"`
	// TasksQueued and TasksDropped count the worker's tasks.
	TasksQueued int `json:"tasks_queued"`
	// TasksDropped counts tasks refused by a full queue.
	TasksDropped int `json:"tasks_dropped"`
	sender.Snapshot
}

// Options configure Run.
type Options struct {
	// Listen is the HTTP address (ignored when Listener is set).
	Listen string
	// Listener, when set, is used instead of listening on Listen.
	Listener net.Listener
	// LogTo is the log target, udp://host:port or tcp://host:port.
	LogTo string
	// Sender tunes the log sender.
	Sender sender.Options
	// App is the app's behaviour.
	App Config
	// Ready, when set, is called with the listening address.
	Ready func(addr string)
}

// ShutdownTimeout bounds the wait for requests in flight at shutdown.
const ShutdownTimeout = 10 * time.Second

// Run serves until ctx is done, then stops accepting, drains the worker
// queue and the log sender, and returns what was sent.
func Run(ctx context.Context, opts Options) (*Summary, error) {
	snd, err := sender.New(opts.LogTo, opts.Sender)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	app, err := NewApp(opts.App, snd)
	if err != nil {
		_ = snd.Close()
		return nil, err
	}
	ln := opts.Listener
	if ln == nil {
		ln, err = net.Listen("tcp", opts.Listen)
		if err != nil {
			app.Close()
			_ = snd.Close()
			return nil, fmt.Errorf("serve: listen: %w", err)
		}
	}
	if opts.Ready != nil {
		opts.Ready(ln.Addr().String())
	}
	srv := &http.Server{Handler: app, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(app.cfg.Log.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var runErr error
	select {
	case <-ctx.Done():
	case err := <-served:
		runErr = fmt.Errorf("serve: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		app.cfg.Log.Warn("shutdown: requests still in flight", "err", err)
	}
	app.Close()
	if err := snd.Close(); err != nil {
		app.cfg.Log.Warn("closing log sender", "err", err)
	}
	statuses, queued, dropped := app.Counts()
	sum := &Summary{Seed: opts.App.Seed, LogTo: opts.LogTo, LogVersion: opts.App.Formatter.Version,
		Statuses: map[string]int{}, TasksQueued: queued, TasksDropped: dropped, Snapshot: snd.Stats()}
	for st, n := range statuses {
		sum.Statuses[strconv.Itoa(st)] = n
		sum.Requests += n
	}
	return sum, runErr
}
