package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "usage:"},
		{"unknown command", []string{"fly"}, `unknown command "fly"`},
		{"log version", []string{"serve", "--log-version", "2"}, "--log-version 2"},
		{"python version", []string{"serve", "--python-version", "three"}, "--python-version"},
		{"unknown kind", []string{"serve", "--exceptions", "KeyError,SegFault"}, `unknown kind "SegFault"`},
		{"weighted kind", []string{"serve", "--exception-dist", "weighted:KeyError=1,Oops=2"}, `unknown name "Oops"`},
		{"level", []string{"serve", "--level-dist", "weighted:DEBUG=1"}, `unknown name "DEBUG"`},
		{"dist syntax", []string{"serve", "--mime-dist", "normal"}, "--mime-dist"},
		{"burst", []string{"serve", "--error-burst", "every=1s"}, "--error-burst"},
		{"error rate", []string{"serve", "--error-rate", "2"}, "--error-rate"},
		{"load urls", []string{"load", "http://a/", "http://b/"}, "one URL expected"},
		{"load n", []string{"load", "-n", "0", "http://a/"}, "-n and -c"},
		{"bad flag", []string{"report", "--nope"}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr strings.Builder
			if code := run(context.Background(), tt.args, env(nil), io.Discard, &stderr); code != 2 {
				t.Fatalf("exit %d, want 2; stderr %s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("stderr lacks %q:\n%s", tt.want, stderr.String())
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var stdout, stderr strings.Builder
	if code := run(context.Background(), []string{"help", "serve"}, env(nil), &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, f := range []string{"-log-to", "-error-burst", "-uniform", "-summary", "-python-version"} {
		if !strings.Contains(stderr.String(), f) {
			t.Fatalf("help lacks %s:\n%s", f, stderr.String())
		}
	}
}

func TestServeWritesSummary(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	file := filepath.Join(t.TempDir(), "summary.json")
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // stop at once: nothing served, the summary is still written
	var stderr strings.Builder
	code := run(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--log-to", "udp://" + pc.LocalAddr().String(),
		"--seed", "7", "--uniform", "--summary", file}, env(nil), io.Discard, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var sum map[string]any
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	if sum["seed"] != 7.0 || sum["total"] != 0.0 || sum["log_version"] != 1.0 {
		t.Fatalf("summary %s", data)
	}
	if !strings.Contains(stderr.String(), "exception_dist=uniform") || !strings.Contains(stderr.String(), "faulty sent 0 records") {
		t.Fatalf("stderr %s", stderr.String())
	}
}

func TestLoadExitCodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }))
	defer srv.Close()
	var stdout strings.Builder
	if code := run(context.Background(), []string{"load", srv.URL, "-n", "10", "-c", "2", "--json"}, env(nil), &stdout, io.Discard); code != 0 {
		t.Fatalf("exit %d with only 500s", code)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(stdout.String()), &res); err != nil || res["complete"] != 10.0 {
		t.Fatalf("json %s (%v)", stdout.String(), err)
	}
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	url := "http://" + ln.Addr().String() + "/"
	ln.Close()
	if code := run(context.Background(), []string{"load", "-n", "3", "-c", "1", url}, env(nil), io.Discard, io.Discard); code != 1 {
		t.Fatalf("exit %d with transport errors", code)
	}
}

func TestReportMissingIndex(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(404)
		_, _ = io.WriteString(w, `{"error": {"type": "index_not_found_exception"}, "status": 404}`)
	}))
	defer srv.Close()
	var stderr strings.Builder
	code := run(context.Background(), []string{"report", "--index", "logs-x"}, env(map[string]string{"ES_URL": srv.URL}), io.Discard, &stderr)
	if code != 1 || !strings.Contains(stderr.String(), `index "logs-x" not found`) {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
}

func TestPythonAddsTaskName(t *testing.T) {
	tests := []struct {
		v       string
		want    bool
		wantErr bool
	}{
		{"3.11", false, false}, {"3.12", true, false}, {"3.13", true, false}, {"4.0", true, false},
		{"3.8", false, false}, {"2.7", false, true}, {"3", false, true}, {"x.y", false, true},
	}
	for _, tt := range tests {
		got, err := pythonAddsTaskName(tt.v)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("pythonAddsTaskName(%q) = %v, %v", tt.v, got, err)
		}
	}
}

func TestParseInterspersed(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	n := fs.Int("n", 1, "")
	j := fs.Bool("json", false, "")
	pos, err := parse(fs, []string{"http://x/", "-n", "5", "--json", "--", "-rest"})
	if err != nil || *n != 5 || !*j || !slices.Equal(pos, []string{"http://x/", "-rest"}) {
		t.Fatalf("pos %q n %d json %v err %v", pos, *n, *j, err)
	}
}

// TestREADMEDocumentsEveryFlag keeps cmd/faulty/README.md in step with the
// flags.
func TestREADMEDocumentsEveryFlag(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	flagLine := regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`)
	for _, cmd := range []string{"serve", "load", "report"} {
		t.Run(cmd, func(t *testing.T) {
			var stderr strings.Builder
			run(context.Background(), []string{cmd, "-h"}, env(nil), io.Discard, &stderr)
			names := flagLine.FindAllStringSubmatch(stderr.String(), -1)
			if len(names) < 3 {
				t.Fatalf("no flags found in\n%s", stderr.String())
			}
			for _, m := range names {
				long, short := "`--"+m[1]+"`", "-"+m[1]+" "
				if len(m[1]) == 1 {
					short = "[-" + m[1] + " "
				}
				if !strings.Contains(string(readme), long) && !strings.Contains(string(readme), short) {
					t.Errorf("README does not document %s %s", cmd, long)
				}
			}
		})
	}
}
