package main

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pipeproject/pipe/cmd/faulty/internal/dist"
	"github.com/pipeproject/pipe/cmd/faulty/internal/load"
	"github.com/pipeproject/pipe/cmd/faulty/internal/pylog"
	"github.com/pipeproject/pipe/cmd/faulty/internal/report"
	"github.com/pipeproject/pipe/cmd/faulty/internal/sender"
	"github.com/pipeproject/pipe/cmd/faulty/internal/serve"
)

const usage = `usage:
  faulty serve  [flags]                 serve the failing app, log as python-logstash
  faulty load   [-n 200] [-c 10] [URL]  load it like ab (default URL http://127.0.0.1:8050/)
  faulty report [--es URL] [--index P]  exception archaeology from Elasticsearch
  faulty help COMMAND                   flags of a command
`

// Default distributions (skewed, so aggregations show structure) and the
// original's.
const (
	DefaultKindDist  = "zipf"
	DefaultMIMEDist  = "zipf"
	DefaultLevelDist = "weighted:INFO=60,WARNING=25,ERROR=10,CRITICAL=5"
)

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stderr)
	case "load":
		return runLoad(ctx, args[1:], stdout, stderr)
	case "report":
		return runReport(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help", "-help":
		if len(args) > 1 && slices.Contains([]string{"serve", "load", "report"}, args[1]) {
			return run(ctx, []string{args[1], "-h"}, getenv, stdout, stderr)
		}
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "faulty: unknown command %q\n%s", args[0], usage)
	return 2
}

// parse parses flags that may come before or after the positional
// arguments, and returns the positional ones.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, " ") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func runServe(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("faulty serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	host, _ := os.Hostname()
	var (
		listen      = fs.String("listen", "127.0.0.1:8050", "HTTP listen address")
		logTo       = fs.String("log-to", "udp://127.0.0.1:5000", "log target: udp://host:port (a datagram per record) or tcp://host:port (JSON lines)")
		logVersion  = fs.Int("log-version", 1, "python-logstash format version: 1, or 0")
		pyVersion   = fs.String("python-version", "3.11", "Python the records pretend to come from; 3.12 and later add \"taskName\": null")
		hostname    = fs.String("hostname", host, "host field of the records")
		tags        = fs.String("tags", "", "comma-separated tags of the records (python-logstash's tags; default [])")
		msgType     = fs.String("type", "logstash", "type field of the records (python-logstash's message_type)")
		errorRate   = fs.Float64("error-rate", 0.25, "probability that a request to / raises an exception")
		exceptions  = fs.String("exceptions", strings.Join(serve.DefaultExceptionKinds(), ","), "exception kinds raised, in rank order; known: "+strings.Join(serve.ExceptionKinds(), ", "))
		kindDist    = fs.String("exception-dist", DefaultKindDist, "distribution of exception kinds: uniform, zipf[:s], weighted:Kind=w,...")
		mimeDist    = fs.String("mime-dist", DefaultMIMEDist, "distribution of MIME types: uniform, zipf[:s], weighted:type/sub=w,...")
		levelDist   = fs.String("level-dist", DefaultLevelDist, "distribution of the worker's levels: uniform, zipf[:s], weighted:LEVEL=w,...")
		uniform     = fs.Bool("uniform", false, "uniform distributions, as the original (explicit --*-dist flags still win)")
		seed        = fs.Uint64("seed", 0, "seed of the random choices (default: a random seed, printed in the summary)")
		summary     = fs.String("summary", "", "write the summary of what was sent to this file as JSON at exit")
		queue       = fs.Int("queue", 1000, "worker queue size (tasks beyond it are dropped and counted)")
		workers     = fs.Int("workers", 1, "worker goroutines")
		sendBuffer  = fs.Int("send-buffer", 10000, "log records that may wait for the sender (beyond it they are dropped and counted)")
		tcpWriteTO  = fs.Duration("tcp-write-timeout", 5*time.Second, "bound on one TCP write; on timeout the connection is closed and the record dropped")
		threadName  = fs.String("thread-name", "MainThread", "thread_name of exception records")
		bursts      multi
		seedWasSet  bool
		explicitSet = map[string]bool{}
	)
	fs.Var(&bursts, "error-burst", "error-rate burst every=60s,for=10s,rate=0.8[,offset=30s] (repeatable)")
	if _, err := parse(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fs.Visit(func(f *flag.Flag) { explicitSet[f.Name] = true })
	seedWasSet = explicitSet["seed"]
	fail := func(err error) int {
		fmt.Fprintf(stderr, "faulty serve: %v\n", err)
		return 2
	}
	if *logVersion != 0 && *logVersion != 1 {
		return fail(fmt.Errorf("--log-version %d: use 1 or 0", *logVersion))
	}
	taskName, err := pythonAddsTaskName(*pyVersion)
	if err != nil {
		return fail(err)
	}
	if !(*errorRate >= 0 && *errorRate <= 1) {
		return fail(fmt.Errorf("--error-rate %v: must be in [0, 1]", *errorRate))
	}
	var bs []dist.Burst
	for _, b := range bursts {
		bb, err := dist.ParseBurst(b)
		if err != nil {
			return fail(fmt.Errorf("--error-burst: %w", err))
		}
		bs = append(bs, bb)
	}
	if *uniform {
		for name, v := range map[string]*string{"exception-dist": kindDist, "mime-dist": mimeDist, "level-dist": levelDist} {
			if !explicitSet[name] {
				*v = "uniform"
			}
		}
	}
	kindNames := splitList(*exceptions)
	kinds, err := choice("exception-dist", *kindDist, kindNames, func(k string) bool { return serve.IsExceptionKind(k) })
	if err != nil {
		return fail(err)
	}
	for _, k := range kindNames {
		if !serve.IsExceptionKind(k) {
			return fail(fmt.Errorf("--exceptions: unknown kind %q; known: %s", k, strings.Join(serve.ExceptionKinds(), ", ")))
		}
	}
	globs, mt := serve.SystemTypeFiles()
	mimes, err := choice("mime-dist", *mimeDist, serve.LoadTypes(globs, mt), func(t string) bool { return strings.Count(t, "/") == 1 })
	if err != nil {
		return fail(err)
	}
	levels, err := choice("level-dist", *levelDist, serve.Levels(), func(l string) bool { return slices.Contains(serve.Levels(), l) })
	if err != nil {
		return fail(err)
	}
	if !seedWasSet {
		var b [8]byte
		if _, err := crand.Read(b[:]); err != nil {
			return fail(fmt.Errorf("choosing a seed: %w", err))
		}
		*seed = binary.LittleEndian.Uint64(b[:])
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	var tagList []string
	if *tags != "" {
		tagList = splitList(*tags)
	}
	opts := serve.Options{
		Listen: *listen, LogTo: *logTo,
		Sender: sender.Options{Buffer: *sendBuffer, WriteTimeout: *tcpWriteTO, Logger: log},
		App: serve.Config{
			Formatter: pylog.Formatter{Version: *logVersion, Host: *hostname, Tags: tagList, Type: *msgType, TaskName: taskName},
			Python:    *pyVersion,
			ErrorRate: dist.ErrorRate{Base: *errorRate, Bursts: bs, Start: time.Now()},
			Kinds:     kinds, MIMEs: mimes, Levels: levels,
			Seed: *seed, QueueSize: *queue, Workers: *workers, ThreadName: *threadName, Log: log,
		},
		Ready: func(addr string) {
			log.Info("faulty serving", "addr", "http://"+addr+"/", "log_to", *logTo, "log_version", *logVersion,
				"seed", *seed, "exceptions", kinds.Names(), "exception_dist", *kindDist,
				"mime_types", len(mimes.Names()), "mime_dist", *mimeDist, "level_dist", *levelDist)
		},
	}
	sum, err := serve.Run(ctx, opts)
	if sum == nil {
		fmt.Fprintf(stderr, "faulty serve: %v\n", err)
		return 1
	}
	code := 0
	if err != nil {
		fmt.Fprintf(stderr, "faulty serve: %v\n", err)
		code = 1
	}
	if werr := sum.WriteText(stderr); werr != nil {
		code = 1
	}
	if *summary != "" {
		data, _ := json.MarshalIndent(sum, "", "  ")
		if werr := os.WriteFile(*summary, append(data, '\n'), 0o644); werr != nil {
			fmt.Fprintf(stderr, "faulty serve: writing summary: %v\n", werr)
			code = 1
		}
	}
	return code
}

// pythonAddsTaskName reports whether records of this Python version carry
// taskName (3.12 and later).
func pythonAddsTaskName(v string) (bool, error) {
	major, minor, ok := strings.Cut(v, ".")
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	if !ok || err1 != nil || err2 != nil || ma < 3 {
		return false, fmt.Errorf("--python-version %q: write a version such as 3.11 or 3.12", v)
	}
	return ma > 3 || mi >= 12, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func choice(flagName, spec string, names []string, allowed func(string) bool) (*dist.Choice, error) {
	sp, err := dist.ParseSpec(spec)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagName, err)
	}
	c, err := dist.NewChoice(sp, names, allowed)
	if err != nil {
		return nil, fmt.Errorf("--%s: %w", flagName, err)
	}
	return c, nil
}

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("faulty load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("n", 200, "number of requests")
	c := fs.Int("c", 10, "concurrent clients (keep-alive)")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of one request")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	pos, err := parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	url := "http://127.0.0.1:8050/"
	switch len(pos) {
	case 0:
	case 1:
		url = pos[0]
	default:
		fmt.Fprintf(stderr, "faulty load: one URL expected, got %q\n", pos)
		return 2
	}
	res, err := load.Run(ctx, load.Options{URL: url, N: *n, C: *c, Timeout: *timeout})
	if err != nil {
		fmt.Fprintf(stderr, "faulty load: %v\n", err)
		return 2
	}
	if *asJSON {
		data, _ := json.MarshalIndent(res, "", "  ")
		fmt.Fprintf(stdout, "%s\n", data)
	} else if err := res.WriteText(stdout); err != nil {
		fmt.Fprintf(stderr, "faulty load: %v\n", err)
		return 1
	}
	if res.Failed > 0 {
		return 1
	}
	return 0
}

func runReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("faulty report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	esDefault := getenv("ES_URL")
	if esDefault == "" {
		esDefault = "http://127.0.0.1:9200"
	}
	width := 80
	if w, err := strconv.Atoi(getenv("COLUMNS")); err == nil && w > 20 {
		width = w
	}
	es := fs.String("es", esDefault, "Elasticsearch URL (default $ES_URL or http://127.0.0.1:9200)")
	index := fs.String("index", "logstash-*", "index name or pattern")
	user := fs.String("user", getenv("ES_USER"), "basic-auth user (default $ES_USER)")
	password := fs.String("password", "", "basic-auth password (default $ES_PASSWORD)")
	minutes := fs.Int("minutes", 30, "window of the events-per-minute histogram")
	top := fs.Int("top", 10, "terms per aggregation")
	fs.IntVar(&width, "width", width, "terminal width (default $COLUMNS or 80)")
	if _, err := parse(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *password == "" {
		*password = getenv("ES_PASSWORD")
	}
	err := report.Run(ctx, report.Options{ES: *es, Index: *index, User: *user, Password: *password,
		Minutes: *minutes, Top: *top, Width: width}, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "faulty report: %v\n", err)
		return 1
	}
	return 0
}
