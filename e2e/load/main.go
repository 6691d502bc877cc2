// Command load is pipe's load harness: it builds pipe, runs whole-process
// scenarios and reports events/s, wall time and peak RSS of the pipe
// process (from its rusage). It is a measurement, not a test: nothing fails
// on a slow machine.
//
//	go run ./e2e/load                 # all scenarios
//	go run ./e2e/load -n 2000000 -only generator
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// pythonLogstashLine is a python-logstash (format version 1) event as it
// arrives over TCP, with a counter substituted per line.
const pythonLogstashLine = `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing/%d", "host": "vm", "path": "/usr/lib/python3/dist-packages/django/utils/log.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/missing'>"}`

type scenario struct {
	name   string
	events int
	args   []string
	stdin  string // file fed to stdin, if any
}

func main() {
	n := flag.Int("n", 0, "events per scenario (default: 5M for generator, 1M for json_lines)")
	only := flag.String("only", "", "run only scenarios whose name contains this")
	runs := flag.Int("runs", 3, "runs per scenario; the best is reported")
	workers := flag.Int("w", 0, "pipeline workers (0: pipe's default, the number of cores)")
	flag.Parse()

	dir, err := os.MkdirTemp("", "pipe-load-")
	check(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "pipe")
	build := exec.Command("go", "build", "-o", bin, "./cmd/pipe")
	build.Stderr = os.Stderr
	check(build.Run())

	genN := 5_000_000
	jsonN := 1_000_000
	if *n > 0 {
		genN, jsonN = *n, *n
	}
	input := filepath.Join(dir, "events.jsonl")
	check(writeEvents(input, jsonN))

	wargs := []string{}
	if *workers > 0 {
		wargs = []string{"-w", fmt.Sprint(*workers)}
	}
	scenarios := []scenario{
		{name: "generator -> null", events: genN, args: append([]string{"-e",
			fmt.Sprintf(`input { generator { count = %d } } output { null {} }`, genN)}, wargs...)},
		{name: "stdin json_lines -> stdout json_lines", events: jsonN, stdin: input, args: append([]string{"-e",
			`input { stdin { codec = "json_lines" } } output { stdout { codec = "json_lines" } }`}, wargs...)},
		{name: "stdin json_lines -> conditional -> null", events: jsonN, stdin: input, args: append([]string{"-e",
			`input { stdin { codec = "json_lines" } }
			 filter { if "[level] == 'WARNING' and [status_code] >= 400" { drop { percentage = 0 add_tag = ["warn"] } } }
			 output { null {} }`}, wargs...)},
	}
	fmt.Printf("%-45s %12s %10s %14s %12s\n", "scenario", "events", "wall", "events/s", "peak RSS")
	for _, s := range scenarios {
		if *only != "" && !strings.Contains(s.name, *only) {
			continue
		}
		var best time.Duration
		var rss int64
		for r := 0; r < *runs; r++ {
			wall, maxrss, err := runOnce(bin, s)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", s.name, err)
				os.Exit(1)
			}
			if best == 0 || wall < best {
				best = wall
			}
			rss = max(rss, maxrss)
		}
		fmt.Printf("%-45s %12d %10s %14.0f %9.1f MB\n", s.name, s.events, best.Round(time.Millisecond),
			float64(s.events)/best.Seconds(), float64(rss)/1024)
	}
	if *only == "" || strings.Contains("pipe -t", *only) {
		var times []time.Duration
		for r := 0; r < 20; r++ {
			start := time.Now()
			cmd := exec.Command(bin, "-t", "-f", "conf/examples/json_lines.hcl")
			check(cmd.Run())
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		fmt.Printf("%-45s %12s %10s\n", "pipe -t conf/examples/json_lines.hcl (median)", "", times[len(times)/2].Round(100*time.Microsecond))
	}
}

// runOnce runs pipe once and returns its wall time and peak RSS in KiB.
func runOnce(bin string, s scenario) (time.Duration, int64, error) {
	cmd := exec.Command(bin, append([]string{"--log.level", "warn"}, s.args...)...)
	if s.stdin != "" {
		f, err := os.Open(s.stdin)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		cmd.Stdin = f
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, 0, err
	}
	defer devnull.Close()
	cmd.Stdout = devnull
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("pipe: %w", err)
	}
	wall := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var maxrss int64
	if ru != nil {
		maxrss = ru.Maxrss
	}
	return wall, maxrss, nil
}

func writeEvents(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, pythonLogstashLine+"\n", i)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
