package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// esDo sends a request to the server and returns the status and body.
func esDo(t *testing.T, method, u, body string) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// esMapping returns the properties of index's mapping.
func esMapping(t *testing.T, u, index string) map[string]any {
	t.Helper()
	var m map[string]struct {
		Mappings struct {
			Properties map[string]any `json:"properties"`
		} `json:"mappings"`
	}
	esGet(t, u+"/"+index+"/_mapping", &m)
	return m[index].Mappings.Properties
}

// field returns the mapping of a dotted field path in properties.
func field(props map[string]any, path string) map[string]any {
	var cur map[string]any
	for i, name := range strings.Split(path, ".") {
		if i > 0 {
			props, _ = cur["properties"].(map[string]any)
		}
		cur, _ = props[name].(map[string]any)
		if cur == nil {
			return nil
		}
	}
	return cur
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestElasticsearchDefaultTemplate runs pipe with manage_template left at
// its default against a real server and checks that the daily index gets
// Logstash's mapping (strings text + .keyword, message text only, ...),
// that Kibana-style terms aggregations on .keyword work, that a second run
// leaves the installed template alone, and that the reduced ECS template
// is accepted and applied. Both runs reset the test indices and the
// "logstash" and "ecs-logstash" templates first (also on an ES_URL server).
func TestElasticsearchDefaultTemplate(t *testing.T) {
	u := esServer(t)
	const (
		index    = "logstash-2001.02.03"
		ecsIndex = "ecs-logstash-2001.02.03"
	)
	for _, p := range []string{"/" + index, "/" + ecsIndex, "/_index_template/logstash", "/_index_template/ecs-logstash",
		"/_template/logstash", "/_template/ecs-logstash"} {
		if status, b := esDo(t, http.MethodDelete, u+p, ""); status != 200 && status != 404 {
			t.Fatalf("DELETE %s: %d %s", p, status, b)
		}
	}
	var events strings.Builder
	for i, user := range []string{"alice", "bob", "alice", "carol", "alice"} {
		fmt.Fprintf(&events, `{"@timestamp":"2001-02-03T04:05:%02d.000Z","message":"GET /page/%d HTTP/1.1","user":%q,"status":%d,"took":%d.25,"ok":true,"geoip":{"ip":"192.0.2.%d","location":{"lat":48.8,"lon":2.3}}}`+"\n",
			i, i, user, 200+i, i, i+1)
	}
	config := fmt.Sprintf(`
input { stdin { codec = "json_lines" ecs_compatibility = "disabled" } }
output { elasticsearch { hosts = ["%s"] ecs_compatibility = "disabled" } }
`, u)
	path := writeConfig(t, config)
	r := runPipe(t, events.String(), "-f", path)
	if r.code != 0 || !strings.Contains(r.stderr, "index template installed") {
		t.Fatalf("pipe exited %d:\n%s", r.code, r.stderr)
	}
	// A second run finds the template and leaves it.
	r = runPipe(t, events.String(), "-f", path)
	if r.code != 0 || !strings.Contains(r.stderr, "index template exists; not overwritten") {
		t.Fatalf("second run: pipe exited %d:\n%s", r.code, r.stderr)
	}
	esDo(t, http.MethodPost, u+"/"+index+"/_refresh", "")

	props := esMapping(t, u, index)
	user := field(props, "user")
	kw, _ := field(user, "fields")["keyword"].(map[string]any)
	if user["type"] != "text" || kw["type"] != "keyword" || kw["ignore_above"] != 256.0 {
		t.Errorf("user: %s, want text with a keyword sub-field (ignore_above 256)", mustJSON(user))
	}
	if m := field(props, "message"); m["type"] != "text" || m["fields"] != nil {
		t.Errorf("message: %s, want text without sub-fields", mustJSON(m))
	}
	checks := map[string]string{"@version": "keyword", "@timestamp": "date", "status": "long", "took": "float",
		"ok": "boolean", "geoip.ip": "ip", "geoip.location": "geo_point"}
	for f, want := range checks {
		if m := field(props, f); m["type"] != want {
			t.Errorf("%s: %s, want type %s", f, mustJSON(m), want)
		}
	}
	var settings map[string]struct {
		Settings struct {
			Index struct {
				RefreshInterval string `json:"refresh_interval"`
				Shards          string `json:"number_of_shards"`
			} `json:"index"`
		} `json:"settings"`
	}
	esGet(t, u+"/"+index+"/_settings", &settings)
	if s := settings[index].Settings.Index; s.RefreshInterval != "5s" || s.Shards != "1" {
		t.Errorf("settings %+v, want refresh_interval 5s and 1 shard", s)
	}

	status, b := esDo(t, http.MethodPost, u+"/"+index+"/_search",
		`{"size":0,"aggs":{"users":{"terms":{"field":"user.keyword"}}}}`)
	var agg struct {
		Hits struct {
			Total struct {
				Value int `json:"value"`
			} `json:"total"`
		} `json:"hits"`
		Aggregations struct {
			Users struct {
				Buckets []struct {
					Key   string `json:"key"`
					Count int    `json:"doc_count"`
				} `json:"buckets"`
			} `json:"users"`
		} `json:"aggregations"`
	}
	if status != 200 || json.Unmarshal(b, &agg) != nil {
		t.Fatalf("terms aggregation: %d %s", status, b)
	}
	buckets := agg.Aggregations.Users.Buckets
	if agg.Hits.Total.Value != 10 || len(buckets) != 3 || buckets[0].Key != "alice" || buckets[0].Count != 6 {
		t.Errorf("terms on user.keyword: %d hits, buckets %+v; want 10 hits, alice 6 first", agg.Hits.Total.Value, buckets)
	}

	// ECS on: the reduced ECS template (no field types the integ-test
	// server lacks) is installed and applied.
	ecsEvent := `{"@timestamp":"2001-02-03T04:05:06.000Z","message":"hello","user":{"name":"alice"},"source":{"ip":"192.0.2.7","port":5514},"event":{"original":"raw"}}` + "\n"
	r = runPipe(t, ecsEvent, "-e", fmt.Sprintf(`input { stdin { codec = "json_lines" } } output { elasticsearch { hosts = ["%s"] ecs_compatibility = "v8" data_stream = "false" } }`, u))
	if r.code != 0 || !strings.Contains(r.stderr, "index template installed") || strings.Contains(r.stderr, "retrying") {
		t.Fatalf("ECS run: pipe exited %d:\n%s", r.code, r.stderr)
	}
	props = esMapping(t, u, ecsIndex)
	for f, want := range map[string]string{"message": "text", "user.name": "keyword", "source.ip": "ip", "source.port": "long",
		"event.original": "keyword", "@timestamp": "date"} {
		if m := field(props, f); m["type"] != want {
			t.Errorf("ECS %s: %s, want type %s", f, mustJSON(m), want)
		}
	}
}
