package e2e

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pipeproject/pipe/internal/plugintest"
)

// sentSummary is what faulty serve (and the Django twin) report having sent.
type sentSummary struct {
	Total          int                       `json:"total"`
	Dropped        int                       `json:"dropped"`
	Loggers        map[string]int            `json:"loggers"`
	Levels         map[string]int            `json:"levels"`
	LoggerLevels   map[string]map[string]int `json:"logger_levels"`
	ExceptionKinds map[string]int            `json:"exception_kinds"`
	MIMETypes      map[string]int            `json:"mime_types"`
}

var examplePortRe = regexp.MustCompile(`(?m)^(\s*port\s*=>?\s*)5000\s*$`)

// TestFaultyScenario is the whole chain with real parts: faulty serve (and
// the original service as a Django app with python-logstash's handler) under
// faulty load -> pipe running conf/examples/faulty.hcl as shipped (ports
// and index name changed), or its Logstash twin conf/examples/faulty.conf
// through conf/examples/pipelines.yml -> a real Elasticsearch. From Elasticsearch it
// checks what a Kibana user would look at: the counts per logger, level and
// exception kind equal what the app reports having sent, no parse failure
// tags, content_length is a number (range queries work), content_type has a
// keyword sub-field (terms aggregations work), the skewed distributions show,
// and faulty report draws the view.
func TestFaultyScenario(t *testing.T) {
	u := esServer(t)
	t.Setenv("ES_URL", u)
	example, err := os.ReadFile("../conf/examples/faulty.hcl")
	if err != nil {
		t.Fatal(err)
	}
	logstashExample, err := os.ReadFile("../conf/examples/faulty.conf")
	if err != nil {
		t.Fatal(err)
	}
	pipelinesYML, err := os.ReadFile("../conf/examples/pipelines.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, transport string
		django          bool
		requests        int
		// logstashConf runs conf/examples/faulty.conf (Logstash's language)
		// through conf/examples/pipelines.yml instead of faulty.hcl.
		logstashConf bool
	}{
		{"faulty-udp", "udp", false, 2000, false},
		{"faulty-tcp", "tcp", false, 2000, false},
		{"django-udp", "udp", true, 1000, false},
		{"django-tcp", "tcp", true, 1000, false},
		{"logstash-conf-udp", "udp", false, 2000, true},
		{"django-tcp-logstash-conf", "tcp", true, 1000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := freePorts(t, 1)[0]
			index := "logstash-" + tc.name
			text, indexRe := string(example), `"logstash-%{+YYYY.MM.dd}"`
			if tc.logstashConf {
				text = string(logstashExample)
			}
			cfg := examplePortRe.ReplaceAllString(text, fmt.Sprintf("${1}%d", port))
			cfg = strings.Replace(cfg, indexRe, `"`+index+`-%{+YYYY.MM.dd}"`, 1)
			if strings.Count(cfg, fmt.Sprint(port)) != 2 || !strings.Contains(cfg, index) {
				t.Fatalf("could not set the port and index in the example:\n%s", cfg)
			}
			var rp *runningPipe
			if tc.logstashConf {
				dir := t.TempDir()
				confPath := filepath.Join(dir, "faulty.conf")
				yml := strings.Replace(string(pipelinesYML), `"conf/examples/faulty.conf"`, strconv.Quote(confPath), 1)
				if yml == string(pipelinesYML) {
					t.Fatal("conf/examples/pipelines.yml does not name conf/examples/faulty.conf")
				}
				writeFile(t, confPath, cfg)
				writeFile(t, filepath.Join(dir, "pipelines.yml"), yml)
				rp = startListeningArgs(t, []string{"--path.settings", dir}, 2)
			} else {
				rp = startListening(t, cfg, 2)
			}

			addr := fmt.Sprintf("127.0.0.1:%d", freePorts(t, 1)[0])
			summaryPath := filepath.Join(t.TempDir(), "sent.json")
			var app *exec.Cmd
			if tc.django {
				app = exec.Command(sendersPython(t), "django/faultyapp.py")
				app.Env = append(os.Environ(), "FAULTY_LISTEN="+addr, fmt.Sprintf("LOGSTASH_PORT=%d", port),
					"LOGSTASH_TRANSPORT="+tc.transport, "FAULTY_SUMMARY="+summaryPath)
			} else {
				app = exec.Command(faultyBin, "serve", "--listen", addr, "--seed", "7", "--summary", summaryPath,
					"--log-to", fmt.Sprintf("%s://127.0.0.1:%d", tc.transport, port))
			}
			var appLog plugintest.SyncBuffer
			app.Stdout, app.Stderr = &appLog, &appLog
			if err := app.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = app.Process.Kill() })
			waitTCP(t, addr, &appLog)

			load := exec.Command(faultyBin, "load", "-n", fmt.Sprint(tc.requests), "-c", "10", "--json", "http://"+addr+"/")
			out, err := load.Output()
			if err != nil {
				t.Fatalf("faulty load: %v\n%s\napp:\n%s", err, out, appLog.String())
			}
			t.Logf("faulty load against %s: %s", tc.name, strings.TrimSpace(string(out)))

			_ = app.Process.Signal(syscall.SIGTERM)
			if code := waitExit(t, app, 60*time.Second); code != 0 {
				t.Fatalf("the app exited %d:\n%s", code, appLog.String())
			}
			var sent sentSummary
			if b, err := os.ReadFile(summaryPath); err != nil || json.Unmarshal(b, &sent) != nil {
				t.Fatalf("no summary from the app (%v):\n%s", err, appLog.String())
			}
			if sent.Dropped != 0 || sent.Total < tc.requests {
				t.Fatalf("the app sent %d records and dropped %d for %d requests", sent.Total, sent.Dropped, tc.requests)
			}
			rp.stop(t)

			esDo(t, "POST", u+"/"+index+"-*/_refresh", "")
			checkArrived(t, u, index, sent)
			if t.Failed() {
				t.Logf("pipe's log:\n%s\nthe app's log:\n%s", rp.log(), appLog.String())
			}
			if !tc.django {
				checkSkew(t, sent)
				report := exec.Command(faultyBin, "report", "--es", u, "--index", index+"-*", "--width", "100")
				out, err := report.CombinedOutput()
				if err != nil {
					t.Fatalf("faulty report: %v\n%s", err, out)
				}
				for kind := range sent.ExceptionKinds {
					if !strings.Contains(string(out), kind) {
						t.Errorf("faulty report does not show %s:\n%s", kind, out)
					}
				}
				t.Logf("faulty report:\n%s", out)
			}
		})
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitTCP waits until addr accepts connections.
func waitTCP(t *testing.T, addr string, log *plugintest.SyncBuffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s:\n%s", addr, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkArrived compares what Elasticsearch holds with what the app sent.
func checkArrived(t *testing.T, u, index string, sent sentSummary) {
	t.Helper()
	pattern := u + "/" + index + "-*"
	var count struct {
		Count int `json:"count"`
	}
	esGet(t, pattern+"/_count", &count)
	if count.Count != sent.Total {
		t.Errorf("%d documents in Elasticsearch, the app sent %d records", count.Count, sent.Total)
	}

	var failed struct {
		Count int `json:"count"`
	}
	esPostJSON(t, pattern+"/_count", `{"query":{"terms":{"tags.keyword":["_jsonparsefailure","_grokparsefailure","_groktimeout","_dateparsefailure"]}}}`, &failed)
	if failed.Count != 0 {
		t.Errorf("%d documents carry a parse failure tag", failed.Count)
	}

	aggs := esTerms(t, pattern, map[string]string{
		"loggers":    "logger_name.keyword",
		"levels":     "level.keyword",
		"exceptions": "exception_kind.keyword",
		"mime":       "content_type.keyword",
	})
	for _, c := range []struct {
		what       string
		got, wants map[string]int
	}{
		{"logger", aggs["loggers"], sent.Loggers},
		{"level", aggs["levels"], sent.Levels},
		{"exception kind", aggs["exceptions"], sent.ExceptionKinds},
		{"MIME type", aggs["mime"], sent.MIMETypes},
	} {
		if !sameCounts(c.got, c.wants) {
			t.Errorf("documents per %s in Elasticsearch %v, the app sent %v", c.what, c.got, c.wants)
		}
	}

	// content_length is a number: mapped as one, and a range query finds
	// every worker record (bodies are 512-2048 characters plus newlines).
	var mapping map[string]struct {
		Mappings struct {
			Properties map[string]any `json:"properties"`
		} `json:"mappings"`
	}
	esGet(t, pattern+"/_mapping", &mapping)
	for name, m := range mapping {
		cl := field(m.Mappings.Properties, "content_length")
		if cl == nil || (cl["type"] != "long" && cl["type"] != "integer") {
			t.Errorf("%s: content_length is mapped as %v, want a number", name, cl)
		}
	}
	worker := sent.Loggers["example.tasks"]
	for _, r := range []struct {
		query string
		want  int
	}{
		{`{"query":{"range":{"content_length":{"gte":512,"lte":2200}}}}`, worker},
		{`{"query":{"range":{"content_length":{"lt":512}}}}`, 0},
		{`{"query":{"bool":{"filter":[{"range":{"content_length":{"gte":512}}},{"term":{"logger_name.keyword":"example.tasks"}},{"exists":{"field":"sha1"}}]}}}`, worker},
	} {
		var c struct {
			Count int `json:"count"`
		}
		esPostJSON(t, pattern+"/_count", r.query, &c)
		if c.Count != r.want {
			t.Errorf("range query %s: %d documents, want %d", r.query, c.Count, r.want)
		}
	}
	// The per-logger levels add up too.
	if len(sent.LoggerLevels) == 0 {
		t.Error("the app's summary has no levels per logger")
	}
	for logger, levels := range sent.LoggerLevels {
		for level, n := range levels {
			var c struct {
				Count int `json:"count"`
			}
			esPostJSON(t, pattern+"/_count", fmt.Sprintf(`{"query":{"bool":{"filter":[{"term":{"logger_name.keyword":%q}},{"term":{"level.keyword":%q}}]}}}`, logger, level), &c)
			if c.Count != n {
				t.Errorf("%s %s: %d documents, the app sent %d", logger, level, c.Count, n)
			}
		}
	}
}

// checkSkew checks that faulty's default distributions have the shape they
// are meant to have (not even slices), as an aggregation would show it.
func checkSkew(t *testing.T, sent sentSummary) {
	t.Helper()
	kinds := sortedCounts(sent.ExceptionKinds)
	if len(kinds) < 3 || kinds[0] < 2*kinds[len(kinds)-1] {
		t.Errorf("exception kinds are not skewed: %v", sent.ExceptionKinds)
	}
	mimes := sortedCounts(sent.MIMETypes)
	total := 0
	for _, n := range mimes {
		total += n
	}
	if len(mimes) < 10 || mimes[0]*len(mimes) < 5*total {
		t.Errorf("MIME types are not skewed: the top one has %d of %d over %d types", mimes[0], total, len(mimes))
	}
	if sent.Levels["CRITICAL"]*3 > sent.Loggers["example.tasks"]/2 {
		t.Errorf("worker levels are not skewed: %v", sent.Levels)
	}
}

func sortedCounts(m map[string]int) []int {
	var out []int
	for _, n := range m {
		out = append(out, n)
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

func sameCounts(a, b map[string]int) bool {
	for k, n := range a {
		if b[k] != n {
			return false
		}
	}
	for k, n := range b {
		if a[k] != n {
			return false
		}
	}
	return true
}

// esTerms runs one search with a terms aggregation per field and returns
// the bucket counts by name.
func esTerms(t *testing.T, pattern string, fields map[string]string) map[string]map[string]int {
	t.Helper()
	aggs := map[string]any{}
	for name, f := range fields {
		aggs[name] = map[string]any{"terms": map[string]any{"field": f, "size": 1000}}
	}
	var resp struct {
		Aggregations map[string]struct {
			Other   int `json:"sum_other_doc_count"`
			Buckets []struct {
				Key   string `json:"key"`
				Count int    `json:"doc_count"`
			} `json:"buckets"`
		} `json:"aggregations"`
	}
	esPostJSON(t, pattern+"/_search", mustJSON(map[string]any{"size": 0, "aggs": aggs}), &resp)
	out := map[string]map[string]int{}
	for name, a := range resp.Aggregations {
		if a.Other != 0 {
			t.Errorf("terms aggregation %s left out %d documents", name, a.Other)
		}
		out[name] = map[string]int{}
		for _, b := range a.Buckets {
			out[name][b.Key] = b.Count
		}
	}
	return out
}
