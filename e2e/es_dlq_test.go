package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestElasticsearchDeadLetterQueueAndReplay indexes a batch in which two
// documents conflict with the index's mapping (a number field given an
// object): the rest of the batch is indexed and the two land in the
// dead-letter queue. A second pipe reads the queue, moves the field aside
// and indexes them: every event ends up in the index.
func TestElasticsearchDeadLetterQueueAndReplay(t *testing.T) {
	u := esServer(t)
	index := fmt.Sprintf("dlq-e2e-%d", time.Now().UnixNano())
	req, _ := http.NewRequest(http.MethodPut, u+"/"+index, strings.NewReader(`{"mappings":{"properties":{"v":{"type":"long"}}}}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("create index: %s", resp.Status)
	}
	count := func() int {
		if resp, err := http.Post(u+"/"+index+"/_refresh", "application/json", nil); err == nil {
			resp.Body.Close()
		}
		var c struct {
			Count int `json:"count"`
		}
		esGet(t, u+"/"+index+"/_count", &c)
		return c.Count
	}

	const n, bad = 10, 2
	var lines strings.Builder
	for i := range n {
		if i == 3 || i == 7 {
			fmt.Fprintf(&lines, `{"n":%d,"v":{"a":%d}}`+"\n", i, i)
		} else {
			fmt.Fprintf(&lines, `{"n":%d,"v":%d}`+"\n", i, i)
		}
	}
	dlqPath := filepath.Join(t.TempDir(), "dead_letter_queue")
	output := fmt.Sprintf(`
output {
  elasticsearch {
    hosts           = ["%s"]
    index           = "%s"
    manage_template = false
  }
}`, u, index)
	first := fmt.Sprintf(`
pipeline {
  dead_letter_queue {
    enable = true
    path   = %q
  }
}
input { stdin { codec = "json_lines" } }
`, dlqPath) + output
	r := runPipe(t, lines.String(), "-f", writeConfig(t, first))
	if r.code != 0 {
		t.Fatalf("pipe exited %d:\n%s", r.code, r.stderr)
	}
	if got := count(); got != n-bad {
		t.Fatalf("%d documents indexed, want %d\n%s", got, n-bad, r.stderr)
	}
	segs, _ := filepath.Glob(filepath.Join(dlqPath, "main", "*.log"))
	var records []string
	for _, s := range segs {
		b, _ := os.ReadFile(s)
		records = append(records, strings.Split(strings.TrimSpace(string(b)), "\n")...)
	}
	if len(records) != bad || !strings.Contains(records[0], `"status":400`) || !strings.Contains(records[0], `"v":{"a":`) {
		t.Fatalf("dead-letter queue holds %d records:\n%s\n%s", len(records), strings.Join(records, "\n"), r.stderr)
	}
	if !strings.Contains(r.stderr, "dead_lettered=2") {
		t.Errorf("no dead_lettered=2 in the counters:\n%s", r.stderr)
	}

	replay := fmt.Sprintf(`
input { dead_letter_queue { path = %q } }
filter {
  if "[@metadata][dead_letter_queue][reason]" {
    drop {
      percentage   = 0
      add_field    = { "v_text" = "%%{v}" }
      remove_field = ["v"]
    }
  }
}
`, dlqPath) + output
	cmd, _, _, errb := startPipe(t, "-f", writeConfig(t, replay))
	deadline := time.Now().Add(30 * time.Second)
	got := 0
	for time.Now().Before(deadline) {
		if got = count(); got >= n {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, cmd, 30*time.Second); code != 0 {
		t.Fatalf("replay exited %d:\n%s", code, errb.String())
	}
	if got != n {
		t.Fatalf("%d documents after the replay, want %d\n%s", got, n, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dlqPath, "main.offsets")); err != nil {
		t.Errorf("no offsets saved: %v", err)
	}
}
