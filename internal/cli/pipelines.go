package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/pipeline"
)

// Multiple pipelines: pipelines.yml in --path.settings, read when neither -f
// nor -e is given (Logstash's multiple-pipelines mode).
const (
	// pipelinesFile is the file listing the pipelines.
	pipelinesFile = "pipelines.yml"
	// defaultSettingsDir is the default --path.settings: where the Docker
	// image puts its configuration.
	defaultSettingsDir = "/etc/pipe"
)

// pipelinesPath returns the path of pipelines.yml under --path.settings.
func pipelinesPath(f *flags) string { return filepath.Join(f.pathSettings, pipelinesFile) }

// noteIgnoredPipelines logs, when pipelines.yml exists, that -f or -e makes
// pipe ignore it, as Logstash does.
func noteIgnoredPipelines(f *flags, log *slog.Logger) {
	if path := pipelinesPath(f); isRegularFile(path) {
		log.Info("ignoring pipelines.yml because -f or -e is given", "path", path)
	}
}

func isRegularFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// runPipelines is pipe without -f and -e: it loads every pipeline of
// pipelines.yml, checks them (-t stops there) and runs them all.
func runPipelines(env *Env, f *flags, log *slog.Logger) int {
	path := pipelinesPath(f)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(env.Stderr, "pipe: no configuration: give -f PATH or -e 'CONFIG', or list pipelines in %s (--path.settings) (see 'pipe help')\n", path)
		return exitUsage
	}
	pipes, ok := loadPipelines(env, f, log, path)
	if !ok {
		return exitConfig
	}
	return testOrRun(env, f, log, pipes)
}

// loadPipelines reads pipelines.yml and builds every pipeline it lists,
// printing the diagnostics of the file and of every pipeline's
// configuration; ok is false when any of them is an error or a pipeline
// cannot be built.
//
// A pipeline's settings are the pipeline { } block of its configuration,
// then the command-line flags (-w, -b, -u, --pipeline.ecs_compatibility),
// then its entry in pipelines.yml: as in Logstash, the command line gives
// every pipeline its defaults and pipelines.yml has the last word.
func loadPipelines(env *Env, f *flags, log *slog.Logger, path string) ([]*pipeline.Pipeline, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(env.Stderr, "pipe: %v\n", err)
		return nil, false
	}
	environ := environMap(env.Environ)
	entries, diags := parsePipelinesYML(path, data, environ)
	allSrcs := []conf.Source{{Name: path, Data: data}}
	type loaded struct {
		e    ymlPipeline
		spec *pipeline.Spec
	}
	var specs []loaded
	stdinBy := ""
	for _, e := range entries {
		where := fmt.Sprintf("pipeline %q, %s:%d:%d", e.ID, path, e.Line, e.Column)
		var srcs []conf.Source
		if e.HasString {
			srcs = []conf.Source{{Name: fmt.Sprintf("config.string[%s]", e.ID), Data: []byte(e.ConfigString)}}
		} else {
			srcs, err = conf.ReadSources([]string{e.PathConfig})
			if err != nil {
				diags = append(diags, conf.Diagnostic{File: path, Line: e.PathAt.Line, Column: e.PathAt.Column,
					EndLine: e.PathAt.Line, EndColumn: e.PathAt.EndColumn,
					Summary: "Cannot read path.config", Detail: fmt.Sprintf("%v (pipeline %q; a relative path is relative to the working directory, as in Logstash).", err, e.ID)})
				continue
			}
		}
		allSrcs = append(allSrcs, srcs...)
		spec, pd := conf.Load(srcs, env.Registry, conf.Options{Env: environ, DefaultIO: e.HasString})
		for i := range pd {
			pd[i].Detail = withPipeline(pd[i].Detail, where)
		}
		diags = append(diags, pd...)
		if spec == nil {
			continue
		}
		if usesStdin(spec) {
			if stdinBy != "" {
				diags = append(diags, conf.Diagnostic{File: path, Line: e.Line, Column: e.Column,
					Summary: "stdin read by two pipelines",
					Detail:  fmt.Sprintf("Pipelines %q and %q both have a stdin input (or none, with config.string); only one pipeline can read stdin.", stdinBy, e.ID)})
			} else {
				stdinBy = e.ID
			}
		}
		if spec.Settings.ID != "" && spec.Settings.ID != e.ID {
			log.Warn("the id of the pipeline block is replaced by pipeline.id of pipelines.yml",
				"pipeline", e.ID, "block_id", spec.Settings.ID, "path", path, "line", e.Line)
		}
		applyFlags(&spec.Settings, f)
		e.Overrides.apply(&spec.Settings)
		spec.Settings.ID = e.ID
		specs = append(specs, loaded{e, spec})
	}
	if len(diags) > 0 {
		_ = diags.Write(env.Stderr, allSrcs, env.StderrTTY)
	}
	if diags.HasErrors() {
		return nil, false
	}
	ids := make([]string, len(specs))
	for i, l := range specs {
		ids[i] = l.e.ID
	}
	log.Info("loaded pipelines.yml", "path", path, "pipelines", ids)
	// Two pipelines writing to one stdout must not interleave mid-write.
	stdout := &lockedWriter{w: env.Stdout}
	pipes := make([]*pipeline.Pipeline, 0, len(specs))
	for _, l := range specs {
		p, err := pipeline.New(l.spec, pipeline.Options{
			Registry: env.Registry, Logger: log,
			Stdin: env.Stdin, Stdout: stdout, IsTerminal: env.StdoutTTY,
		})
		if err != nil {
			fmt.Fprintf(env.Stderr, "pipe: pipeline %q (%s:%d:%d): %v\n", l.e.ID, path, l.e.Line, l.e.Column, err)
			return nil, false
		}
		pipes = append(pipes, p)
	}
	return pipes, true
}

// withPipeline adds which pipeline a diagnostic of a config belongs to.
func withPipeline(detail, where string) string {
	if detail == "" {
		return "(" + where + ")"
	}
	return detail + " (" + where + ")"
}

// usesStdin reports whether a spec has a stdin input.
func usesStdin(spec *pipeline.Spec) bool {
	for _, in := range spec.Inputs {
		if in.Plugin.Name == "stdin" {
			return true
		}
	}
	return false
}

// lockedWriter serializes writes from several pipelines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write implements io.Writer.
func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// startCPUProfile starts the --cpuprofile profile; stop ends it.
func startCPUProfile(env *Env, path string) (stop func(), code int) {
	pf, err := os.Create(path)
	if err != nil {
		fmt.Fprintf(env.Stderr, "pipe: %v\n", err)
		return nil, exitUsage
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		fmt.Fprintf(env.Stderr, "pipe: cpu profile: %v\n", err)
		return nil, exitUsage
	}
	return func() { pprof.StopCPUProfile(); pf.Close() }, exitOK
}

// runAll runs the pipelines together. The first SIGINT/SIGTERM stops every
// input and drains every pipeline; a pipeline that ends with an error stops
// the others the same way. The shutdown timeout or a second signal gives
// up. The exit code is 0 only when every pipeline drained without error.
func runAll(env *Env, pipes []*pipeline.Pipeline, log *slog.Logger, timeout time.Duration) int {
	sigs := env.Signals
	if sigs == nil {
		c := make(chan os.Signal, 2)
		signal.Notify(c, syscall.SIGINT, syscall.SIGTERM)
		defer signal.Stop(c)
		sigs = c
	}
	exit := env.Exit
	if exit == nil {
		exit = os.Exit
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	hard, giveUp := context.WithCancel(context.Background())
	defer giveUp()
	type result struct {
		p   *pipeline.Pipeline
		err error
	}
	done := make(chan result, len(pipes))
	running := make(map[*pipeline.Pipeline]bool, len(pipes))
	for _, p := range pipes {
		running[p] = true
		go func() { done <- result{p, p.Run(ctx, hard)} }()
	}
	inFlight := func() int {
		n := 0
		for p := range running {
			n += p.InFlight()
		}
		return n
	}
	failed := false
	var timer <-chan time.Time
	for len(running) > 0 {
		select {
		case r := <-done:
			delete(running, r.p)
			if r.err == nil {
				continue
			}
			failed = true
			log.Error("pipeline ended with errors", "pipeline", r.p.Settings().ID, "error", r.err)
			if ctx.Err() == nil && len(running) > 0 {
				log.Error("stopping the other pipelines", "pipeline", r.p.Settings().ID, "queued", inFlight(), "shutdown_timeout", timeout)
				stop()
				timer = time.After(timeout)
			}
		case sig := <-sigs:
			if ctx.Err() == nil {
				log.Info("received signal; stopping inputs and draining", "signal", sig.String(),
					"queued", inFlight(), "shutdown_timeout", timeout)
				stop()
				timer = time.After(timeout)
				continue
			}
			for _, p := range pipes {
				if !running[p] {
					continue
				}
				in, filtered, out := p.Counts()
				log.Error("second signal: exiting at once; events in flight are lost", "pipeline", p.Settings().ID,
					"signal", sig.String(), "events_in", in, "events_filtered", filtered, "events_out", out, "queued", p.InFlight())
			}
			exit(exitConfig)
			return exitConfig
		case <-timer:
			log.Error("shutdown timed out; giving up on the events in flight", "queued", inFlight(), "timeout", timeout)
			giveUp()
			wait := time.After(2 * time.Second)
			for len(running) > 0 {
				select {
				case r := <-done:
					delete(running, r.p)
					if r.err != nil {
						log.Error("pipeline stopped", "pipeline", r.p.Settings().ID, "error", r.err)
					}
				case <-wait:
					for p := range running {
						log.Error("pipeline did not stop after giving up (an output is blocked in a write); exiting", "pipeline", p.Settings().ID)
					}
					return exitConfig
				}
			}
			return exitConfig
		}
	}
	if failed {
		return exitConfig
	}
	return exitOK
}
