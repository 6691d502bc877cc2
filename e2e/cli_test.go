// Package e2e holds the end-to-end tests: they build the pipe binary and
// drive it as a user does (config files, stdin, signals, stdout, stderr).
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pipeBin and faultyBin are the binaries built once by TestMain.
var pipeBin, faultyBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pipe-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	pipeBin = filepath.Join(dir, "pipe")
	faultyBin = filepath.Join(dir, "faulty")
	build := exec.Command("go", "build", "-o", dir, "../cmd/pipe", "../cmd/faulty")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building pipe and faulty:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// runPipe runs pipe to completion with the given stdin.
func runPipe(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(pipeBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("pipe %v did not finish; stderr:\n%s", args, errb.String())
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
}

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pipeline.hcl")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVersionAndHelp(t *testing.T) {
	r := runPipe(t, "", "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "pipe ") {
		t.Fatalf("version: code %d, stdout %q", r.code, r.stdout)
	}
	r = runPipe(t, "", "help")
	for _, flag := range []string{"-f", "path.config", "config.test_and_exit", "pipeline.workers", "pipeline.batch.size", "pipeline.batch.delay", "log.level", "log.format"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("help does not mention %s:\n%s", flag, r.stdout)
		}
	}
	r = runPipe(t, "")
	if r.code != 2 || !strings.Contains(r.stderr, "-f PATH") {
		t.Fatalf("no args: code %d, stderr %q", r.code, r.stderr)
	}
}

func TestConfigTestOnExamples(t *testing.T) {
	examples, err := filepath.Glob("../conf/examples/*.hcl")
	confs, _ := filepath.Glob("../conf/examples/*.conf")
	examples = append(examples, confs...)
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, ex := range examples {
		t.Run(filepath.Base(ex), func(t *testing.T) {
			r := runPipe(t, "", "-t", "-f", ex)
			if r.code != 0 || !strings.Contains(r.stderr, "Configuration OK") {
				t.Fatalf("code %d, stderr:\n%s", r.code, r.stderr)
			}
		})
	}
}

func TestConfigTestReportsErrorsWithPositions(t *testing.T) {
	for _, tc := range []struct {
		name, config string
		want         string // regexp on stderr
	}{
		{"misspelt plugin", "input {\n  stdin {}\n}\noutput {\n  stdot {}\n}\n",
			`pipeline\.hcl:5:3: error: .*stdot.*Did you mean "stdout"\?`},
		{"misspelt option", "input {\n  generator {\n    cont = 3\n  }\n}\noutput { null {} }\n",
			`pipeline\.hcl:3:5: error: .*Did you mean "count"\?`},
		{"wrong type", "input {\n  generator {\n    count = \"many\"\n  }\n}\noutput { null {} }\n",
			`pipeline\.hcl:3:\d+: error: `},
		{"bad condition", "input { stdin {} }\nfilter {\n  if \"[a] === 1\" {\n    drop {}\n  }\n}\noutput { null {} }\n",
			`pipeline\.hcl:3:\d+: error: `},
		{"bad sprintf", "input { stdin {} }\nfilter {\n  drop {\n    add_field = { \"x\" = \"%{[a}\" }\n  }\n}\noutput { null {} }\n",
			`pipeline\.hcl:4:\d+: error: `},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.config)
			r := runPipe(t, "", "-t", "-f", path)
			if r.code != 1 {
				t.Fatalf("code %d, want 1; stderr:\n%s", r.code, r.stderr)
			}
			if !regexp.MustCompile(tc.want).MatchString(r.stderr) {
				t.Fatalf("stderr does not match %q:\n%s", tc.want, r.stderr)
			}
		})
	}
}

func TestStdinJSONLinesThroughFiltersToStdout(t *testing.T) {
	config := writeConfig(t, `
input {
  stdin {
    codec = "json_lines"
    type  = "app"
  }
}
filter {
  if "[level] == 'DEBUG'" {
    drop {}
  } else if "[level] in ['ERROR', 'CRITICAL']" {
    drop {
      percentage = 0
      add_tag    = ["alert"]
      add_field  = { "[labels][index]" = "alerts-%{+YYYY.MM.dd}" }
    }
  }
}
output {
  stdout { codec = "json_lines" }
}
`)
	in := `{"@timestamp":"2026-11-24T23:08:04.232Z","level":"ERROR","message":"boom","host":"vm"}
{"@timestamp":"2026-11-24T23:08:05Z","level":"DEBUG","message":"noise"}
{"@timestamp":"2026-11-24T23:08:06.5Z","level":"INFO","message":"ok","type":"mine"}
this is not json
{"@timestamp":"2026-11-24T23:08:07.000001Z","level":"CRITICAL","message":"partial last line"}`
	r := runPipe(t, in, "-f", config, "-w", "1")
	if r.code != 0 {
		t.Fatalf("code %d; stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want 4 (DEBUG dropped):\n%s", len(lines), r.stdout)
	}
	byMessage := map[string]map[string]any{}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line is not JSON: %q: %v", l, err)
		}
		byMessage[fmt.Sprint(m["message"])] = m
	}
	boom := byMessage["boom"]
	if boom["@timestamp"] != "2026-11-24T23:08:04.232Z" || boom["type"] != "app" || boom["host"] != "vm" {
		t.Errorf("boom: %v", boom)
	}
	if lbl, _ := boom["labels"].(map[string]any); lbl["index"] != "alerts-2026.11.24" {
		t.Errorf("boom labels: %v", boom["labels"])
	}
	if tags, _ := boom["tags"].([]any); len(tags) != 1 || tags[0] != "alert" {
		t.Errorf("boom tags: %v", boom["tags"])
	}
	if ok := byMessage["ok"]; ok["type"] != "mine" || ok["@timestamp"] != "2026-11-24T23:08:06.500Z" {
		t.Errorf("ok: %v", ok)
	}
	bad := byMessage["this is not json"]
	if tags, _ := bad["tags"].([]any); len(tags) != 1 || tags[0] != "_jsonparsefailure" {
		t.Errorf("bad line: %v", bad)
	}
	last := byMessage["partial last line"]
	if last["@timestamp"] != "2026-11-24T23:08:07.000001Z" {
		t.Errorf("partial last line not flushed or timestamp wrong: %v", last)
	}
	if !strings.HasPrefix(lines[0], `{"@timestamp":`) {
		t.Errorf("@timestamp is not first: %s", lines[0])
	}
}

func TestGeneratorRubydebug(t *testing.T) {
	r := runPipe(t, "", "-e", `input { generator { count = 2 message = "hi" ecs_compatibility = "disabled" } }`, "-w", "1")
	if r.code != 0 {
		t.Fatalf("code %d; stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{`"message" => "hi"`, `"@version" => "1"`, `"sequence" => 0`, `"sequence" => 1`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("rubydebug output lacks %s:\n%s", want, r.stdout)
		}
	}
	if !regexp.MustCompile(`(?m)^\s+"@timestamp" => \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,9}Z,$`).MatchString(r.stdout) {
		t.Errorf("no unquoted @timestamp line:\n%s", r.stdout)
	}
}

// startPipe starts pipe with a stdin pipe the test writes to and a stdout
// the test reads from.
func startPipe(t *testing.T, args ...string) (*exec.Cmd, io.WriteCloser, io.ReadCloser, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(pipeBin, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, stdin, stdout, &errb
}

func waitExit(t *testing.T, cmd *exec.Cmd, limit time.Duration) int {
	t.Helper()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		t.Fatalf("pipe did not exit within %s", limit)
		return -1
	}
}

var eventsInRe = regexp.MustCompile(`events_in=(\d+)`)

func TestSIGTERMDrainsEventsAlreadyRead(t *testing.T) {
	cmd, stdin, stdout, errb := startPipe(t, "-e", `input { stdin { codec = "json_lines" } } output { stdout { codec = "json_lines" } }`, "-w", "2", "-b", "50")
	const n = 20000
	go func() {
		w := bufio.NewWriter(stdin)
		for i := 0; i < n; i++ {
			fmt.Fprintf(w, `{"n":%d,"message":"line %d"}`+"\n", i, i)
		}
		_ = w.Flush()
		// stdin stays open: only the signal ends the input.
	}()
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	if !sc.Scan() {
		t.Fatalf("no output; stderr:\n%s", errb.String())
	}
	got := 1
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		got++
	}
	code := waitExit(t, cmd, 30*time.Second)
	if code != 0 {
		t.Fatalf("exit code %d; stderr:\n%s", code, errb.String())
	}
	m := eventsInRe.FindStringSubmatch(errb.String())
	if m == nil {
		t.Fatalf("no events_in in the log:\n%s", errb.String())
	}
	in, _ := strconv.Atoi(m[1])
	if in == 0 || got != in {
		t.Fatalf("read %d events but wrote %d lines: events lost in the drain\n%s", in, got, errb.String())
	}
}

func TestSecondSignalExitsAtOnce(t *testing.T) {
	// stdout is a pipe nobody reads, so the output blocks and the drain
	// cannot finish.
	cmd := exec.Command(pipeBin, "-e", `input { generator { count = 0 } } output { stdout { codec = "json_lines" } }`, "--shutdown-timeout", "1h")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd.Stdout = w
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	time.Sleep(300 * time.Millisecond) // let the pipe buffer fill
	_ = cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(100 * time.Millisecond)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	code := waitExit(t, cmd, 20*time.Second)
	if code != 1 || !strings.Contains(errb.String(), "second signal") {
		t.Fatalf("exit code %d; stderr:\n%s", code, errb.String())
	}
}

func TestShutdownTimeout(t *testing.T) {
	cmd := exec.Command(pipeBin, "-e", `input { generator { count = 0 } } output { stdout { codec = "json_lines" } }`, "--shutdown-timeout", "300ms")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cmd.Stdout = w
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	time.Sleep(300 * time.Millisecond)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	code := waitExit(t, cmd, 20*time.Second)
	if code != 1 || !strings.Contains(errb.String(), "shutdown timed out") {
		t.Fatalf("exit code %d; stderr:\n%s", code, errb.String())
	}
}
