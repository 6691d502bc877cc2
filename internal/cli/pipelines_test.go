package cli

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline/dlq"
	"github.com/pipeproject/pipe/plugins/all"
)

const goodSettings = "testdata/pipelines/good"

// runWith runs the command with a signal channel of the test's own.
func runWith(sigs chan os.Signal, args ...string) (int, string, string) {
	var out, errb plugintest.SyncBuffer
	code := Run(&Env{Args: args, Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Environ: []string{"GREETING=hello", "WORKERS=3"}, Registry: all.Registry(), Signals: sigs,
		Exit: func(int) {}})
	return code, out.String(), errb.String()
}

// writeYML writes a pipelines.yml (and other files) into a new folder and
// returns the folder.
func writeYML(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// parseFlags parses args as Run does.
func parseFlags(t *testing.T, args ...string) *flags {
	t.Helper()
	fs, f := newFlagSet(io.Discard)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	f.workersSet = set["w"] || set["pipeline.workers"]
	f.batchSizeSet = set["b"] || set["pipeline.batch.size"]
	f.batchDelaySet = set["u"] || set["pipeline.batch.delay"]
	return f
}

func TestPipelinesRunTogether(t *testing.T) {
	code, out, errOut := runWith(make(chan os.Signal), "--path.settings", goodSettings)
	if code != 0 {
		t.Fatalf("code %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for line, n := range map[string]int{"apache one": 1, "apache two": 1, "syslog line": 3} {
		if got := strings.Count(out, line+"\n"); got != n {
			t.Errorf("stdout has %q %d times, want %d:\n%s", line, got, n, out)
		}
	}
	for _, want := range []string{
		`msg="pipeline started" pipeline=apache workers=2 batch_size=10 batch_delay_ms=5`,
		`msg="pipeline started" pipeline=syslog workers=1 batch_size=7 batch_delay_ms=30`,
		`msg="pipeline finished" pipeline=apache events_in=2 events_filtered=2 events_out=2`,
		`msg="pipeline finished" pipeline=syslog events_in=3 events_filtered=3 events_out=3`,
		`msg="loaded pipelines.yml"`,
		`level=WARN msg="the id of the pipeline block is replaced by pipeline.id of pipelines.yml" pipeline=syslog block_id=not-the-yml-id`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestPipelinesSettings(t *testing.T) {
	type want struct {
		workers, batch, delay int
		ecs                   string
	}
	for _, tc := range []struct {
		name string
		args []string
		want map[string]want
	}{
		{"pipelines.yml over the config's pipeline block", nil, map[string]want{
			"apache": {2, 10, 5, "v8"},
			"syslog": {1, 7, 30, "disabled"},
		}},
		{"flags over the config's pipeline block, pipelines.yml over both", []string{"-w", "3", "-b", "20", "-u", "11", "--pipeline.ecs_compatibility", "v1"}, map[string]want{
			"apache": {2, 10, 5, "v1"},
			"syslog": {1, 7, 11, "disabled"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := parseFlags(t, append(tc.args, "--path.settings", goodSettings)...)
			var errb bytes.Buffer
			env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errb, Registry: all.Registry()}
			pipes, ok := loadPipelines(env, f, slog.New(slog.DiscardHandler), pipelinesPath(f))
			if !ok {
				t.Fatalf("load failed:\n%s", errb.String())
			}
			if len(pipes) != len(tc.want) {
				t.Fatalf("%d pipelines, want %d", len(pipes), len(tc.want))
			}
			for _, p := range pipes {
				s := p.Settings()
				w, found := tc.want[s.ID]
				if !found {
					t.Fatalf("unexpected pipeline %q", s.ID)
				}
				got := want{s.Workers, s.BatchSize, s.BatchDelayMillis, s.ECSCompatibility}
				if got != w {
					t.Errorf("pipeline %s: settings %+v, want %+v", s.ID, got, w)
				}
			}
		})
	}
}

func TestPipelinesDeadLetterQueuePerPipeline(t *testing.T) {
	dlqDir := t.TempDir()
	dir := writeYML(t, map[string]string{"pipelines.yml": fmt.Sprintf(`
- pipeline.id: one
  config.string: "input { generator { count = 1 } } output { null {} }"
  dead_letter_queue.enable: true
  path.dead_letter_queue: %q
  dead_letter_queue.max_bytes: 10mb
  dead_letter_queue.storage_policy: drop_older
  dead_letter_queue.flush_interval: 700
- pipeline.id: two
  config.string: "input { generator { count = 1 } } output { null {} }"
  dead_letter_queue:
    enable: "true"
  path:
    dead_letter_queue: %q
`, dlqDir, dlqDir)})
	f := parseFlags(t, "--path.settings", dir)
	var errb bytes.Buffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &errb, Registry: all.Registry()}
	pipes, ok := loadPipelines(env, f, slog.New(slog.DiscardHandler), pipelinesPath(f))
	if !ok {
		t.Fatalf("load failed:\n%s", errb.String())
	}
	want := map[string]dlq.Config{
		"one": {Enable: true, Path: dlqDir, MaxBytes: 10 << 20, StoragePolicy: dlq.DropOlder, FlushIntervalMillis: 700},
		"two": {Enable: true, Path: dlqDir},
	}
	for _, p := range pipes {
		s := p.Settings()
		if s.DeadLetterQueue != want[s.ID] {
			t.Errorf("pipeline %s: dead letter queue %+v, want %+v", s.ID, s.DeadLetterQueue, want[s.ID])
		}
	}
	// Run them: each writes its own queue, <path.dead_letter_queue>/<id>.
	code, _, errOut := runWith(make(chan os.Signal), "--path.settings", dir)
	if code != 0 {
		t.Fatalf("code %d:\n%s", code, errOut)
	}
	for _, id := range []string{"one", "two"} {
		want := fmt.Sprintf(`msg="dead letter queue counters" pipeline=%s path=%s `, id, dlq.Dir(dlqDir, id))
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
}

func TestPipelinesYMLErrors(t *testing.T) {
	const ok = `output { null {} }`
	for _, tc := range []struct {
		name string
		yml  string
		code int
		want []string // in stderr
	}{
		{"missing id", "- config.string: \"" + ok + "\"\n", 1,
			[]string{"pipelines.yml:1:3: error: Missing pipeline.id: Every pipeline needs an id"}},
		{"duplicate id", "- pipeline.id: a\n  config.string: \"" + ok + "\"\n- pipeline.id: a\n  config.string: \"" + ok + "\"\n", 1,
			[]string{`pipelines.yml:3:3: error: Duplicate pipeline.id "a": The pipeline at line 1 has this id already`}},
		{"path.config and config.string", "- pipeline.id: a\n  path.config: x.hcl\n  config.string: \"" + ok + "\"\n", 1,
			[]string{"pipelines.yml:3:3: error: Both path.config and config.string: This pipeline gives path.config at line 2 too"}},
		{"neither path.config nor config.string", "- pipeline.id: a\n  pipeline.workers: 2\n", 1,
			[]string{"pipelines.yml:1:3: error: No configuration for the pipeline"}},
		{"unknown key with suggestion", "- pipeline.id: a\n  config.string: \"" + ok + "\"\n  pipeline.worker: 2\n", 1,
			[]string{`pipelines.yml:3:3: error: Unknown setting "pipeline.worker": Did you mean "pipeline.workers"?`}},
		{"unknown nested key with suggestion", "- pipeline:\n    id: a\n    batch:\n      sise: 3\n  config.string: \"" + ok + "\"\n", 1,
			[]string{`pipelines.yml:4:7: error: Unknown setting "pipeline.batch.sise": Did you mean "pipeline.batch.size"?`}},
		{"persisted queue", "- pipeline.id: a\n  config.string: \"" + ok + "\"\n  queue.type: persisted\n", 1,
			[]string{`pipelines.yml:3:15: error: Unsupported queue.type "persisted": pipe has only the memory queue`}},
		{"reload is a warning", "- pipeline.id: a\n  config.string: \"" + ok + "\"\n  config.reload.automatic: true\n  queue.max_bytes: 4gb\n", 0,
			[]string{"pipelines.yml:3:3: warning: Unsupported setting config.reload.automatic",
				"pipelines.yml:4:3: warning: Unsupported setting queue.max_bytes: pipe has no persisted queue", "Configuration OK"}},
		{"memory queue is fine", "- pipeline.id: a\n  config.string: \"" + ok + "\"\n  queue.type: memory\n", 0,
			[]string{"Configuration OK"}},
		{"bad YAML syntax", "- pipeline.id: a\n  config.string: x\n  pipeline.workers 2\n", 1,
			[]string{"pipelines.yml:3:1: error: Invalid YAML: could not find expected ':'"}},
		{"tab in YAML", "- pipeline.id: a\n\tconfig.string: x\n", 1,
			[]string{"pipelines.yml:2:1: error: Invalid YAML: found a tab character that violates indentation"}},
		{"empty file", "# nothing yet\n", 1, []string{"pipelines.yml:1:1: error: Empty pipelines.yml"}},
		{"empty list", "[]\n", 1, []string{"pipelines.yml:1:1: error: No pipelines in pipelines.yml"}},
		{"recursive alias", "- &a {pipeline: *a}\n", 1, []string{"pipelines.yml:1:", "error: Recursive alias: The value of pipeline is an alias of a map that contains it."}},
		{"control character", "- pipeline.id: a\n- pipeline.id: b\x00\n", 1, []string{"pipelines.yml:2:17: error: Invalid YAML"}},
		{"not a list", "pipeline.id: a\n", 1, []string{"pipelines.yml:1:1: error: Not a list of pipelines"}},
		{"entry not a map", "- main\n", 1, []string{`pipelines.yml:1:3: error: Not a pipeline: Each entry of the list is a map of settings (pipeline.id, path.config, ...), not "main".`}},
		{"same setting twice", "- pipeline.id: a\n  pipeline:\n    id: b\n  config.string: \"" + ok + "\"\n", 1,
			[]string{"pipelines.yml:3:5: error: Duplicate setting pipeline.id: This pipeline sets pipeline.id already at line 1."}},
		{"workers not a number", "- pipeline.id: a\n  config.string: \"" + ok + "\"\n  pipeline.workers: many\n", 1,
			[]string{`pipelines.yml:3:21: error: Invalid pipeline.workers: pipeline.workers takes a whole number, not "many".`}},
		{"batch size zero", "- pipeline.id: a\n  config.string: \"" + ok + "\"\n  pipeline.batch.size: 0\n", 1,
			[]string{`pipelines.yml:3:24: error: Invalid pipeline.batch.size: pipeline.batch.size must be at least 1, not 0.`}},
		{"bad ecs value", "- pipeline.id: a\n  config.string: \"" + ok + "\"\n  pipeline.ecs_compatibility: v9\n", 1,
			[]string{`pipelines.yml:3:31: error: Invalid pipeline.ecs_compatibility "v9": Did you mean "v1"?`}},
		{"environment variables", "- pipeline.id: ${NAME:env}\n  config.string: \"" + ok + "\"\n  pipeline.workers: ${WORKERS}\n", 0,
			[]string{"Configuration OK"}},
		{"unset environment variable", "- pipeline.id: a\n  config.string: \"" + ok + "\"\n  pipeline.workers: ${NOPE}\n", 1,
			[]string{"pipelines.yml:3:21: error: Cannot evaluate ${NOPE}: The environment variable NOPE is not set"}},
		{"id with a slash", "- pipeline.id: a/b\n  config.string: \"" + ok + "\"\n", 1,
			[]string{`pipelines.yml:1:16: error: Invalid pipeline.id "a/b"`}},
		{"missing path.config", "- pipeline.id: a\n  path.config: /nonexistent/pipe/*.hcl\n", 1,
			[]string{`pipelines.yml:2:16: error: Cannot read path.config: config glob "/nonexistent/pipe/*.hcl" matches no file`, `(pipeline "a";`}},
		{"config error names the pipeline", "- pipeline.id: a\n  config.string: \"" + ok + "\"\n- pipeline.id: b\n  config.string: \"output { nul {} }\"\n", 1,
			[]string{`config.string[b]:1:10: error: `, `(pipeline "b", `, `pipelines.yml:3:3)`}},
		{"two pipelines on stdin", "- pipeline.id: a\n  config.string: \"filter {}\"\n- pipeline.id: b\n  config.string: \"input { stdin {} } " + ok + "\"\n", 1,
			[]string{`pipelines.yml:3:3: error: stdin read by two pipelines: Pipelines "a" and "b" both have a stdin input`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeYML(t, map[string]string{"pipelines.yml": tc.yml})
			code, out, errOut := runWith(make(chan os.Signal), "-t", "--path.settings", dir)
			if code != tc.code {
				t.Fatalf("code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if tc.code != 0 && strings.Contains(errOut, "Configuration OK") {
				t.Errorf("stderr says Configuration OK:\n%s", errOut)
			}
		})
	}
}

func TestPipelinesTestAndExit(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings string
		code     int
		want     []string
	}{
		{"good set", goodSettings, 0, []string{"Configuration OK"}},
		{"bad set", "testdata/pipelines/bad", 1, []string{
			`testdata/pipelines/bad/broken.hcl:6:3: error: Unknown output plugin "nul"`,
			`(pipeline "broken", testdata/pipelines/bad/pipelines.yml:3:3)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runWith(make(chan os.Signal), "-t", "--path.settings", tc.settings)
			if code != tc.code {
				t.Fatalf("code %d, want %d\nstderr:\n%s", code, tc.code, errOut)
			}
			if out != "" {
				t.Errorf("-t ran the pipelines: stdout %q", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestFlagsIgnorePipelinesYML(t *testing.T) {
	for _, tc := range []struct {
		name     string
		args     []string
		wantOut  string
		settings string
		ignored  bool
	}{
		{"-f", []string{"-f", goodSettings + "/conf.d/syslog.hcl"}, "syslog line\nsyslog line\nsyslog line\n", goodSettings, true},
		{"-e", []string{"-e", `input { generator { count = 1 message = "inline" } } output { stdout { codec "line" { format = "%{message}" } } }`},
			"inline\n", goodSettings, true},
		{"-e without pipelines.yml", []string{"-e", `input { generator { count = 1 message = "inline" } } output { stdout { codec "line" { format = "%{message}" } } }`},
			"inline\n", t.TempDir(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runWith(make(chan os.Signal), append(tc.args, "--path.settings", tc.settings)...)
			if code != 0 {
				t.Fatalf("code %d\nstderr:\n%s", code, errOut)
			}
			if out != tc.wantOut {
				t.Errorf("stdout %q, want %q", out, tc.wantOut)
			}
			if got := strings.Contains(errOut, "ignoring pipelines.yml because -f or -e is given"); got != tc.ignored {
				t.Errorf("logged the ignored pipelines.yml: %v, want %v:\n%s", got, tc.ignored, errOut)
			}
		})
	}
}

func TestNoPipelinesYML(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runWith(make(chan os.Signal), "--path.settings", dir)
	if code != exitUsage || !strings.Contains(errOut, "no configuration") || !strings.Contains(errOut, filepath.Join(dir, "pipelines.yml")) {
		t.Fatalf("code %d, want %d and the path looked at:\n%s", code, exitUsage, errOut)
	}
}

func TestPipelinesShutdown(t *testing.T) {
	forever := `input { generator { count = 0 } } output { null {} }`
	for _, tc := range []struct {
		name   string
		yml    func(dir string) string
		signal bool
		code   int
		want   []string
	}{
		{"a signal drains every pipeline", func(string) string {
			return fmt.Sprintf("- pipeline.id: a\n  config.string: %q\n- pipeline.id: b\n  config.string: %q\n", forever, forever)
		}, true, 0, []string{
			"received signal; stopping inputs and draining",
			`msg="pipeline finished" pipeline=a`, `msg="pipeline finished" pipeline=b`,
		}},
		{"a failing pipeline stops the others", func(dir string) string {
			// The offsets file is a folder: the input fails as it starts.
			broken := fmt.Sprintf(`input { dead_letter_queue { path = %q commit_offsets = true sincedb_path = %q } } output { null {} }`, dir, dir)
			return fmt.Sprintf("- pipeline.id: forever\n  config.string: %q\n- pipeline.id: broken\n  config.string: %q\n", forever, broken)
		}, false, 1, []string{
			`msg="pipeline ended with errors" pipeline=broken`,
			`msg="stopping the other pipelines" pipeline=broken`,
			`msg="pipeline finished" pipeline=forever`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			settings := writeYML(t, map[string]string{"pipelines.yml": tc.yml(dir)})
			sigs := make(chan os.Signal)
			type res struct {
				code     int
				out, err string
			}
			done := make(chan res, 1)
			go func() {
				c, o, e := runWith(sigs, "--path.settings", settings)
				done <- res{c, o, e}
			}()
			if tc.signal {
				sigs <- syscall.SIGTERM
			}
			r := <-done
			if r.code != tc.code {
				t.Fatalf("code %d, want %d\nstderr:\n%s", r.code, tc.code, r.err)
			}
			for _, w := range tc.want {
				if !strings.Contains(r.err, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.err)
				}
			}
		})
	}
}

func TestHelpNamesPathSettings(t *testing.T) {
	code, out, _ := runWith(make(chan os.Signal), "help")
	for _, w := range []string{"--path.settings", "pipelines.yml", defaultSettingsDir} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("help (code %d) lacks %q:\n%s", code, w, out)
		}
	}
}

func BenchmarkParsePipelinesYML(b *testing.B) {
	var sb strings.Builder
	for i := range 20 {
		fmt.Fprintf(&sb, "- pipeline.id: p%d\n  path.config: \"/etc/pipe/conf.d/p%d/*.conf\"\n  pipeline.workers: 2\n  pipeline.batch.size: 250\n  pipeline:\n    batch:\n      delay: ${DELAY:20}\n", i, i)
	}
	data := []byte(sb.String())
	env := map[string]string{}
	b.ReportAllocs()
	for b.Loop() {
		entries, diags := parsePipelinesYML("pipelines.yml", data, env)
		if len(entries) != 20 || len(diags) != 0 {
			b.Fatalf("%d entries, diagnostics %v", len(entries), diags)
		}
	}
}

func TestPipelinesYMLSnippet(t *testing.T) {
	dir := writeYML(t, map[string]string{"pipelines.yml": "- pipeline.id: a\n  config.string: \"output { null {} }\"\n  pipeline.worker: 2\n"})
	var errb bytes.Buffer
	code := Run(&Env{Args: []string{"-t", "--path.settings", dir}, Stdin: strings.NewReader(""), Stdout: io.Discard,
		Stderr: &errb, Registry: all.Registry(), StderrTTY: true})
	want := "    3 |   pipeline.worker: 2\n      |   ^~~~~~~~~~~~~~~\n"
	if code != exitConfig || !strings.Contains(errb.String(), want) {
		t.Fatalf("code %d, want %d and the snippet\n%s\nin:\n%s", code, exitConfig, want, errb.String())
	}
}
