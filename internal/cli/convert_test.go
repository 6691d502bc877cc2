package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lsFixtures is the corpus of Logstash configs of package conf.
const lsFixtures = "../../conf/testdata/logstash"

// TestConvertSameOutput runs each stdin-to-stdout fixture as a .conf and
// as the HCL that pipe convert prints, on the same input, and compares
// their outputs byte for byte.
func TestConvertSameOutput(t *testing.T) {
	inputs := map[string]string{
		"json.conf": strings.Join([]string{
			`{"@timestamp":"2024-01-02T03:04:05.000Z","message":"{\"a\":1,\"b\":[true,null,2.5]}"}`,
			`{"@timestamp":"2024-01-02T03:04:06.500Z","message":"{\"nested\":{\"k\":\"v\"},\"s\":\"\\u00e9\"}"}`,
			`{"@timestamp":"2024-01-02T03:04:07.000Z","message":"not json"}`,
			`{"@timestamp":"2024-01-02T03:04:08.000Z","message":"[1,2,3]","tags":["x"]}`,
		}, "\n") + "\n",
		"stdin_stdout.conf": strings.Join([]string{
			`{"@timestamp":"2024-01-02T03:04:05.000Z","message":"GET 42","payload":"{\"a\":1,\"b\":[true,null]}"}`,
			`{"@timestamp":"2024-01-02T03:04:06.500Z","message":"PUT 5","payload":"{\"c\":\"d\"}"}`,
			`{"@timestamp":"2024-01-02T03:04:07.000Z","message":"no match here"}`,
			`{"@timestamp":"2024-01-02T03:04:08.000Z","message":"POST 7","payload":"not json"}`,
			`{"@timestamp":"2024-01-02T03:04:09.000Z","message":"DELETE 100","payload":"[1]"}`,
		}, "\n") + "\n",
	}
	for name, input := range inputs {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(lsFixtures, "valid", name)
			code, hcl, errOut := runCLI(t, "", "convert", path)
			if code != 0 {
				t.Fatalf("convert: code %d\n%s", code, errOut)
			}
			hclPath := filepath.Join(t.TempDir(), "converted.hcl")
			if err := os.WriteFile(hclPath, []byte(hcl), 0o644); err != nil {
				t.Fatal(err)
			}
			code, want, errOut := runCLI(t, input, "-w", "1", "--log.level", "error", "-f", path)
			if code != 0 {
				t.Fatalf(".conf: code %d\n%s", code, errOut)
			}
			code, got, errOut := runCLI(t, input, "-w", "1", "--log.level", "error", "-f", hclPath)
			if code != 0 {
				t.Fatalf(".hcl: code %d\n%s", code, errOut)
			}
			if strings.Count(want, "\n") < 2 {
				t.Fatalf("too few events out of the .conf to compare:\n%s", want)
			}
			if got != want {
				t.Errorf("outputs differ\n--- .hcl\n%s\n--- .conf\n%s\n--- HCL\n%s", got, want, hcl)
			}
		})
	}
}

func TestConvertCommand(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.conf")
	if err := os.WriteFile(bad, []byte("filter {\n  grok { match = { \"message\" => \"x\" } }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unknown := filepath.Join(t.TempDir(), "unknown.conf")
	if err := os.WriteFile(unknown, []byte("filter {\n  grokk { }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(t.TempDir(), "env.conf")
	if err := os.WriteFile(envFile, []byte("input {\n  tcp { port => \"${NOT_SET_HERE}\" }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret.conf")
	if err := os.WriteFile(secret, []byte("output {\n  elasticsearch {\n    user => elastic\n    password => \"hunter2\"\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		code    int
		wantOut string
		wantErr string
	}{
		{"literal secret", []string{"convert", secret}, 0, `password = "hunter2"`, "warning: line 4 of the HCL sets a secret"},
		{"a file", []string{"convert", filepath.Join(lsFixtures, "valid", "python_logstash.conf")}, 0, "codec = \"json_lines\"", ""},
		{"a folder", []string{"convert", filepath.Join(lsFixtures, "valid", "multi")}, 0, "20-filter.conf", ""},
		{"no argument", []string{"convert"}, exitUsage, "", "Usage:"},
		{"missing file", []string{"convert", "/nonexistent/x.conf"}, exitConfig, "", "/nonexistent/x.conf"},
		{"syntax error", []string{"convert", bad}, exitConfig, "", `bad.conf:2:16: error: Expected "=>" after the option "match", found "="`},
		{"unknown plugin", []string{"convert", unknown}, exitConfig, "grokk {}", `Did you mean "grok"?`},
		{"unset variable", []string{"convert", envFile}, 0, `port = env.NOT_SET_HERE`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tc.args...)
			if code != tc.code {
				t.Fatalf("code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tc.wantOut, out)
			}
			if !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantErr, errOut)
			}
		})
	}
}

// TestLogstashConfigRuns runs Logstash syntax given with -e and with -f.
func TestLogstashConfigRuns(t *testing.T) {
	dir := t.TempDir()
	noExt := filepath.Join(dir, "pipeline")
	if err := os.WriteFile(noExt, []byte(`input { generator { count => 2 message => "${GREETING} world" } }
output { stdout { codec => line { format => "%{message}" } } }`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string
		err  string
	}{
		{"-e", []string{"-e", `input { generator { count => 1 message => "hi" } } output { stdout { codec => line { format => "%{message}!" } } }`}, 0, "hi!\n", ""},
		{"-e with defaults", []string{"-e", `filter { if [message] == "x" { drop {} } }`, "-t"}, 0, "", "Configuration OK"},
		{"-f without extension", []string{"-f", noExt}, 0, "hello world\nhello world\n", ""},
		{"-t error at the .conf's line", []string{"-t", "-e", "input {\n  stdin { frobnicate => 1 }\n}"}, exitConfig, "", `config.string:2:11: error: Option "frobnicate" not supported by pipe`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append([]string{"--log.level", "error"}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
			}
			if out != tc.out && !(tc.out == "" && tc.code != 0) {
				t.Errorf("stdout %q, want %q", out, tc.out)
			}
			if !strings.Contains(errOut, tc.err) {
				t.Errorf("stderr lacks %q:\n%s", tc.err, errOut)
			}
		})
	}
}
