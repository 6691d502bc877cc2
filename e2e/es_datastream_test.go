package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestElasticsearchDataStream writes 1000 generated events with
// data_stream = true into a real server. The integration-test server has
// no built-in logs-*-* templates, so the test installs one for
// logs-pipetest-* first; its data stream is then created by the first
// write. That server has no _data_stream API either: the backing index is
// found by name (.ds-logs-pipetest-default-...).
func TestElasticsearchDataStream(t *testing.T) {
	u := esServer(t)
	const n = 1000
	const stream = "logs-pipetest-default"
	cleanup := func() {
		// Deleting the backing indices deletes the stream on servers
		// without DELETE /_data_stream; a real one takes the stream.
		if status, _ := esDo(t, http.MethodDelete, u+"/_data_stream/"+stream, ""); status != 200 {
			esDo(t, http.MethodDelete, u+"/.ds-"+stream+"-*?expand_wildcards=all", "")
		}
		esDo(t, http.MethodDelete, u+"/_index_template/pipetest", "")
	}
	cleanup() // a previous run on an ES_URL server
	t.Cleanup(cleanup)
	if status, b := esDo(t, http.MethodPut, u+"/_index_template/pipetest",
		`{"index_patterns":["logs-pipetest-*"],"data_stream":{},"priority":500}`); status != 200 {
		t.Fatalf("PUT index template: %d %s", status, b)
	}

	config := fmt.Sprintf(`
input {
  generator {
    count             = %d
    ecs_compatibility = "v8"
  }
}
output {
  elasticsearch {
    hosts               = ["%s"]
    data_stream         = "true"
    data_stream_dataset = "pipetest"
    ecs_compatibility   = "v8"
  }
}
`, n, u)
	start := time.Now()
	r := runPipe(t, "", "-f", writeConfig(t, config))
	if r.code != 0 {
		t.Fatalf("pipe exited %d:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "level=WARN") || !strings.Contains(r.stderr, " dropped=0 ") || !strings.Contains(r.stderr, " retried=0 ") {
		t.Errorf("pipe warned, dropped or retried:\n%s", r.stderr)
	}
	esDo(t, http.MethodPost, u+"/"+stream+"/_refresh", "")
	var count struct {
		Count int `json:"count"`
	}
	esGet(t, u+"/"+stream+"/_count", &count)
	if count.Count != n {
		t.Fatalf("%d documents in %s, want %d\n%s", count.Count, stream, n, r.stderr)
	}

	// The name resolves to backing indices only if it is a data stream.
	status, b := esDo(t, http.MethodGet, u+"/"+stream+"/_settings", "")
	var settings map[string]json.RawMessage
	if status != 200 || json.Unmarshal(b, &settings) != nil || len(settings) != 1 {
		t.Fatalf("GET %s/_settings: %d %s", stream, status, b)
	}
	for name := range settings {
		if !strings.HasPrefix(name, ".ds-"+stream) {
			t.Fatalf("backing index %q, want .ds-%s-...", name, stream)
		}
	}

	// The documents carry the synced data_stream fields.
	status, b = esDo(t, http.MethodGet, u+"/"+stream+"/_search?size=1", "")
	if status != 200 || !strings.Contains(string(b), `"data_stream":{"type":"logs","dataset":"pipetest","namespace":"default"}`) {
		t.Fatalf("search: %d %s", status, b)
	}
	t.Logf("%d events into data stream %s in %s", n, stream, time.Since(start).Round(time.Millisecond))
}
