package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// esServer is the Elasticsearch-API server the tests index into: ES_URL when
// set (the user's own Elasticsearch 7/8/9 or OpenSearch), else a real
// Elasticsearch started by e2e/es/start.sh and stopped after the test.
// A server that cannot be started fails the test: it is never skipped.
func esServer(t *testing.T) string {
	t.Helper()
	if u := os.Getenv("ES_URL"); u != "" {
		t.Logf("Elasticsearch-API server from ES_URL: %s (%s)", u, esVersion(t, u))
		return strings.TrimRight(u, "/")
	}
	cmd := exec.Command("bash", "es/start.sh")
	cmd.Env = append(os.Environ(), "ES_PORT="+fmt.Sprint(freePorts(t, 1)[0]))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("e2e/es/start.sh could not start the server: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	fields := map[string]string{}
	for _, kv := range strings.Fields(lines[len(lines)-1]) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			fields[k] = v
		}
	}
	u := fields["ES_URL"]
	if u == "" {
		t.Fatalf("e2e/es/start.sh printed no ES_URL:\n%s", out)
	}
	port := u[strings.LastIndexByte(u, ':')+1:]
	t.Cleanup(func() {
		if b, err := exec.Command("bash", "es/stop.sh", port).CombinedOutput(); err != nil {
			t.Errorf("e2e/es/stop.sh: %v\n%s", err, b)
		}
	})
	t.Logf("Elasticsearch-API server: %s %s at %s", fields["ES_PRODUCT"], fields["ES_VERSION"], u)
	return u
}

func esVersion(t *testing.T, u string) string {
	t.Helper()
	var root struct {
		Version struct {
			Number       string `json:"number"`
			Distribution string `json:"distribution"`
		} `json:"version"`
	}
	esGet(t, u, &root)
	d := root.Version.Distribution
	if d == "" {
		d = "elasticsearch"
	}
	return d + " " + root.Version.Number
}

func esGet(t *testing.T, u string, into any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("GET %s: %s\n%s", u, resp.Status, b)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("GET %s: %v\n%s", u, err, b)
	}
}

// TestElasticsearchIndexesEveryEvent sends 100k generated events through
// the elasticsearch output into a real server and counts them in the daily
// logstash index of their @timestamp.
func TestElasticsearchIndexesEveryEvent(t *testing.T) {
	u := esServer(t)
	const n = 100000
	config := fmt.Sprintf(`
input {
  generator {
    count = %d
    ecs_compatibility = "disabled"
  }
}
output {
  elasticsearch {
    hosts           = ["%s"]
    index           = "logstash-%%{+YYYY.MM.dd}"
    manage_template = false
  }
}
`, n, u)
	start := time.Now()
	r := runPipe(t, "", "-f", writeConfig(t, config))
	if r.code != 0 {
		t.Fatalf("pipe exited %d:\n%s", r.code, r.stderr)
	}
	elapsed := time.Since(start)
	if resp, err := http.Post(u+"/logstash-*/_refresh", "application/json", nil); err == nil {
		resp.Body.Close()
	}
	var count struct {
		Count int `json:"count"`
	}
	index := "logstash-" + time.Now().UTC().Format("2006.01.02")
	esGet(t, u+"/"+index+"/_count", &count)
	if count.Count != n {
		// Around midnight UTC the events may span two days.
		esGet(t, u+"/logstash-*/_count", &count)
	}
	if count.Count != n {
		t.Fatalf("%d documents indexed, want %d\n%s", count.Count, n, r.stderr)
	}
	t.Logf("indexed %d documents in %s (%.0f documents/s, including pipe's start and the server's work)",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds())
}
