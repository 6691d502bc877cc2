package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/plugins/all"
)

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(&Env{Args: args, Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Environ: []string{"GREETING=hello"}, Registry: all.Registry(), Signals: make(chan os.Signal)})
	return code, out.String(), errb.String()
}

func TestRunFlags(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		stdin      string
		code       int
		wantOut    string
		wantErr    string
		notWantErr string
	}{
		{"version", []string{"version"}, "", 0, "pipe ", "", ""},
		{"help lists Logstash flags", []string{"help"}, "", 0, "--path.config", "", ""},
		{"no config", nil, "", exitUsage, "", "no configuration", ""},
		{"stray argument", []string{"-e", "output { null {} }", "extra"}, "", exitUsage, "", `unexpected argument "extra"`, ""},
		{"bad log level", []string{"--log.level", "loud", "-e", "output { null {} }"}, "", exitUsage, "", "unknown --log.level", ""},
		{"bad log format", []string{"--log.format", "xml", "-e", "output { null {} }"}, "", exitUsage, "", "unknown --log.format", ""},
		{"missing file", []string{"-f", "/nonexistent/pipe.hcl"}, "", exitConfig, "", "/nonexistent/pipe.hcl", ""},
		{"test and exit", []string{"-t", "-e", "output { null {} }"}, "", 0, "", "Configuration OK", ""},
		{"long test flag", []string{"--config.test_and_exit", "--config.string", "output { null {} }"}, "", 0, "", "Configuration OK", ""},
		{"config error", []string{"-t", "-e", "output { nul {} }"}, "", exitConfig, "", `config.string:1:10: error: `, "Configuration OK"},
		{"env in config", []string{"-e", `input { generator {
			count = 1
			message = env.GREETING
		} }
		output { stdout { codec "line" { format = "%{message}" } } }`}, "", 0, "hello\n", "", ""},
		{"stdin to stdout by default with -e", []string{"-e", "filter { }", "--log.level", "error"}, "one\n", 0, `"message" => "one"`, "", "level=INFO"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tc.wantOut, out)
			}
			if !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantErr, errOut)
			}
			if tc.notWantErr != "" && strings.Contains(errOut, tc.notWantErr) {
				t.Errorf("stderr has %q:\n%s", tc.notWantErr, errOut)
			}
		})
	}
}

func TestJSONLogsAndSettingsFromFlags(t *testing.T) {
	code, _, errOut := runCLI(t, "", "--log.format", "json", "-w", "3", "-b", "7", "-u", "9",
		"-e", "input { generator { count = 2 } } output { null {} }")
	if code != 0 {
		t.Fatalf("code %d:\n%s", code, errOut)
	}
	var started map[string]any
	for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if m["msg"] == "pipeline started" {
			started = m
		}
	}
	if started["workers"] != 3.0 || started["batch_size"] != 7.0 || started["batch_delay_ms"] != 9.0 {
		t.Fatalf("settings not applied: %v", started)
	}
}
