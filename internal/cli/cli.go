// Package cli is the pipe command: Logstash's flags, config loading and
// diagnostics, running a pipeline and shutting it down on signals.
package cli

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/pipeline"
)

// Version is the version printed by `pipe version`; release builds set it
// with -ldflags "-X github.com/pipeproject/pipe/internal/cli.Version=...".
var Version = "dev"

// Exit codes.
const (
	exitOK     = 0
	exitConfig = 1 // config error, or a failure at run time
	exitUsage  = 2
)

// Env is what the command gets from the process: arguments, streams,
// environment and signals. Tests build their own.
type Env struct {
	Args     []string
	Stdin    io.Reader
	Stdout   io.Writer
	Stderr   io.Writer
	Environ  []string
	Registry *pipeline.Registry
	// Signals delivers SIGINT/SIGTERM; nil means the process's own.
	Signals <-chan os.Signal
	// StdoutTTY and StderrTTY say whether the streams are terminals.
	StdoutTTY, StderrTTY bool
	// Exit ends the process at once (second signal); nil means os.Exit.
	Exit func(code int)
}

// ProcessEnv returns the Env of the running process.
func ProcessEnv(reg *pipeline.Registry) *Env {
	return &Env{
		Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Environ: os.Environ(), Registry: reg,
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())), StderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

type flags struct {
	paths           stringList
	configString    string
	testAndExit     bool
	workers         int
	batchSize       int
	batchDelay      int
	logLevel        string
	logFormat       string
	shutdownTimeout time.Duration
	ecs             string
	cpuProfile      string
	pathSettings    string

	workersSet, batchSizeSet, batchDelaySet bool
}

// validate rejects flag values that cannot work, instead of replacing them.
func (f *flags) validate() error {
	switch {
	case f.workersSet && f.workers < 1:
		return fmt.Errorf("-w/--pipeline.workers must be at least 1, not %d", f.workers)
	case f.batchSizeSet && f.batchSize < 1:
		return fmt.Errorf("-b/--pipeline.batch.size must be at least 1, not %d", f.batchSize)
	case f.batchDelaySet && f.batchDelay < 0:
		return fmt.Errorf("-u/--pipeline.batch.delay must be at least 0 (milliseconds), not %d", f.batchDelay)
	case f.shutdownTimeout <= 0:
		return fmt.Errorf("--shutdown-timeout must be positive, not %s", f.shutdownTimeout)
	}
	switch f.ecs {
	case "", "disabled", "v1", "v8":
	default:
		return fmt.Errorf("--pipeline.ecs_compatibility must be disabled, v1 or v8, not %q", f.ecs)
	}
	return nil
}

const usageText = `Usage:
  pipe -f PATH [options]       run the pipeline(s) in PATH (files, folders, globs; repeatable)
  pipe -e 'CONFIG' [options]   run a pipeline given inline (stdin/stdout when no input/output)
  pipe -t -f PATH              check the configuration and exit (1 on any error)
  pipe [options]               run every pipeline listed in pipelines.yml in --path.settings
  pipe grok 'PATTERN' [LINE...] try a grok pattern on lines (or stdin); explains non-matches
  pipe convert PATH...         print the HCL equivalent of Logstash .conf files, folders or globs
  pipe version                 print the version
  pipe help                    print this help

Options (Logstash's names):
`

// Run runs the command and returns the process exit code.
func Run(env *Env) int {
	if len(env.Args) > 0 {
		switch env.Args[0] {
		case "grok":
			return runGrok(env, env.Args[1:])
		case "convert":
			return runConvert(env, env.Args[1:])
		case "version", "--version", "-V":
			fmt.Fprintln(env.Stdout, versionString())
			return exitOK
		case "help", "--help", "-h":
			fs, _ := newFlagSet(env.Stdout)
			fmt.Fprint(env.Stdout, usageText)
			fs.PrintDefaults()
			return exitOK
		}
	}
	fs, f := newFlagSet(env.Stderr)
	if err := fs.Parse(env.Args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.Stderr, "pipe: unexpected argument %q (see 'pipe help')\n", fs.Arg(0))
		return exitUsage
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	f.workersSet = set["w"] || set["pipeline.workers"]
	f.batchSizeSet = set["b"] || set["pipeline.batch.size"]
	f.batchDelaySet = set["u"] || set["pipeline.batch.delay"]
	if err := f.validate(); err != nil {
		fmt.Fprintf(env.Stderr, "pipe: %v\n", err)
		return exitUsage
	}
	log, err := newLogger(env.Stderr, f.logLevel, f.logFormat)
	if err != nil {
		fmt.Fprintf(env.Stderr, "pipe: %v\n", err)
		return exitUsage
	}
	if len(f.paths) == 0 && f.configString == "" {
		return runPipelines(env, f, log)
	}
	noteIgnoredPipelines(f, log)

	srcs, err := conf.ReadSources(f.paths)
	if err != nil {
		fmt.Fprintf(env.Stderr, "pipe: %v\n", err)
		return exitConfig
	}
	if f.configString != "" {
		srcs = append(srcs, conf.Source{Name: "config.string", Data: []byte(f.configString)})
	}
	spec, diags := conf.Load(srcs, env.Registry, conf.Options{Env: environMap(env.Environ), DefaultIO: f.configString != ""})
	if len(diags) > 0 {
		_ = diags.Write(env.Stderr, srcs, env.StderrTTY)
	}
	if diags.HasErrors() {
		return exitConfig
	}
	applyFlags(&spec.Settings, f)
	p, err := pipeline.New(spec, pipeline.Options{
		Registry: env.Registry, Logger: log,
		Stdin: env.Stdin, Stdout: env.Stdout, IsTerminal: env.StdoutTTY,
	})
	if err != nil {
		fmt.Fprintf(env.Stderr, "pipe: %v\n", err)
		return exitConfig
	}
	return testOrRun(env, f, log, []*pipeline.Pipeline{p})
}

// testOrRun ends -t with "Configuration OK", else runs the pipelines
// (under the CPU profile when asked) until they end or are stopped.
func testOrRun(env *Env, f *flags, log *slog.Logger, pipes []*pipeline.Pipeline) int {
	if f.testAndExit {
		fmt.Fprintln(env.Stderr, "Configuration OK")
		return exitOK
	}
	if f.cpuProfile != "" {
		stopProfile, code := startCPUProfile(env, f.cpuProfile)
		if code != exitOK {
			return code
		}
		defer stopProfile()
	}
	return runAll(env, pipes, log, f.shutdownTimeout)
}

func newFlagSet(out io.Writer) (*flag.FlagSet, *flags) {
	f := &flags{}
	fs := flag.NewFlagSet("pipe", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, usageText)
		fs.PrintDefaults()
	}
	fs.Var(&f.paths, "f", "config file, folder or glob (repeatable); same as --path.config")
	fs.Var(&f.paths, "path.config", "config file, folder or glob (repeatable)")
	fs.StringVar(&f.configString, "e", "", "config given inline; same as --config.string")
	fs.StringVar(&f.configString, "config.string", "", "config given inline")
	fs.BoolVar(&f.testAndExit, "t", false, "check the configuration and exit; same as --config.test_and_exit")
	fs.BoolVar(&f.testAndExit, "config.test_and_exit", false, "check the configuration and exit")
	fs.IntVar(&f.workers, "w", 0, "pipeline workers (default: number of cores); same as --pipeline.workers")
	fs.IntVar(&f.workers, "pipeline.workers", 0, "pipeline workers (default: number of cores)")
	fs.IntVar(&f.batchSize, "b", 0, "events per worker batch (default 125); same as --pipeline.batch.size")
	fs.IntVar(&f.batchSize, "pipeline.batch.size", 0, "events per worker batch (default 125)")
	fs.IntVar(&f.batchDelay, "u", 0, "ms a worker waits for a batch to fill (default 50); same as --pipeline.batch.delay")
	fs.IntVar(&f.batchDelay, "pipeline.batch.delay", 0, "ms a worker waits for a batch to fill (default 50)")
	fs.StringVar(&f.ecs, "pipeline.ecs_compatibility", "", "default ecs_compatibility: disabled, v1 or v8 (default v8)")
	fs.StringVar(&f.logLevel, "log.level", "info", "log level: error, warn, info, debug (trace = debug)")
	fs.StringVar(&f.logFormat, "log.format", "plain", "log format: plain or json")
	fs.StringVar(&f.pathSettings, "path.settings", defaultSettingsDir,
		"folder of pipelines.yml, read when neither -f nor -e is given (several pipelines in one process)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a Go CPU profile of the run to this file (performance work)")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second,
		"how long a graceful shutdown may take before pipe gives up on the events in flight")
	return fs, f
}

func applyFlags(s *pipeline.Settings, f *flags) {
	if f.workersSet {
		s.Workers = f.workers
	}
	if f.batchSizeSet {
		s.BatchSize = f.batchSize
	}
	if f.batchDelaySet {
		s.BatchDelayMillis = f.batchDelay
	}
	if f.ecs != "" {
		s.ECSCompatibility = f.ecs
	}
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	switch strings.ToLower(level) {
	case "trace", "debug":
		lv = slog.LevelDebug
	case "info":
		lv = slog.LevelInfo
	case "warn", "warning":
		lv = slog.LevelWarn
	case "error", "fatal":
		lv = slog.LevelError
	default:
		return nil, fmt.Errorf("unknown --log.level %q: use error, warn, info or debug", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "plain", "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("unknown --log.format %q: use plain or json", format)
}

func environMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

func versionString() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "dev" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "pipe " + v
}
