package elasticsearch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
)

// templateES is a fake server that keeps index templates: HEAD answers
// 200 or 404, PUT stores (or fails failPuts times with 500), GET / gives
// version (and distribution), _bulk succeeds.
type templateES struct {
	*httptest.Server
	version, distribution string

	mu        sync.Mutex
	templates map[string]string // path -> body
	log       []string          // "METHOD path"
	failPuts  int
	bulkBody  string // the last _bulk body, decompressed
}

func newTemplateES(t *testing.T, version string) *templateES {
	f := &templateES{version: version, templates: map[string]string{}}
	f.Server = httptest.NewServer(f)
	t.Cleanup(f.Close)
	return f
}

func (f *templateES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, r.Method+" "+r.URL.Path)
	if f.distribution == "" {
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
	}
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/":
		fmt.Fprintf(w, `{"version":{"number":%q,"distribution":%q}}`, f.version, f.distribution)
	case r.Method == http.MethodHead:
		if _, ok := f.templates[r.URL.Path]; !ok {
			w.WriteHeader(http.StatusNotFound)
		}
	case r.Method == http.MethodPut:
		if f.failPuts > 0 {
			f.failPuts--
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"error":"boom"}`)
			return
		}
		f.templates[r.URL.Path] = string(b)
		fmt.Fprint(w, `{"acknowledged":true}`)
	case r.Method == http.MethodPost && r.URL.Path == "/_bulk":
		f.bulkBody = string(b)
		if r.Header.Get("Content-Encoding") == "gzip" {
			if zr, err := gzip.NewReader(bytes.NewReader(b)); err == nil {
				d, _ := io.ReadAll(zr)
				f.bulkBody = string(d)
			}
		}
		fmt.Fprint(w, `{"errors":false}`)
	default:
		w.WriteHeader(http.StatusBadRequest)
	}
}

// requests returns the requests received, as "METHOD path", without GET /.
func (f *templateES) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.log {
		if s != "GET /" {
			out = append(out, s)
		}
	}
	return out
}

func (f *templateES) template(path string) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var m map[string]any
	if err := json.Unmarshal([]byte(f.templates[path]), &m); err != nil {
		return nil
	}
	return m
}

func ecsDeps(ecs string) pipeline.Deps {
	return pipeline.Deps{Metrics: &pipeline.Metrics{}, Settings: pipeline.Settings{ECSCompatibility: ecs}.WithDefaults()}
}

func writeOne(t *testing.T, o pipeline.Output) {
	t.Helper()
	if err := o.Write(context.Background(), []*pipeline.Event{event("hi")}); err != nil {
		t.Fatal(err)
	}
}

func TestTemplateInstalledOnceWhenAbsent(t *testing.T) {
	t.Parallel()
	es := newTemplateES(t, "8.19.21")
	o := build(t, fmt.Sprintf(`hosts = [%q]`, es.URL), ecsDeps("disabled"))
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { writeOne(t, o) })
	}
	wg.Wait()
	writeOne(t, o)
	got := strings.Join(es.requests(), ",")
	want := "HEAD /_index_template/logstash,PUT /_index_template/logstash," + strings.Repeat("POST /_bulk,", 5)
	if got+"," != want {
		t.Fatalf("requests\n got %s\nwant %s", got, want)
	}
	tm := es.template("/_index_template/logstash")
	pat, _ := tm["index_patterns"].([]any)
	if len(pat) != 1 || pat[0] != "logstash-*" || tm["priority"] != 200.0 {
		t.Fatalf("template %v", tm)
	}
	body, _ := json.Marshal(tm["template"])
	for _, s := range []string{`"index.refresh_interval":"5s"`, `"index.number_of_shards":1`, `"ignore_above":256`,
		`"@version":{"type":"keyword"}`, `"@timestamp":{"type":"date"}`, `"location":{"type":"geo_point"}`} {
		if !strings.Contains(string(body), s) {
			t.Errorf("template lacks %s: %s", s, body)
		}
	}
}

func TestTemplateNotInstalledWhenPresent(t *testing.T) {
	t.Parallel()
	es := newTemplateES(t, "8.19.21")
	es.templates["/_index_template/logstash"] = `{"index_patterns":["logstash-*"],"_meta":{"mine":true}}`
	o := build(t, fmt.Sprintf(`hosts = [%q]`, es.URL), ecsDeps("disabled"))
	writeOne(t, o)
	writeOne(t, o)
	if got := strings.Join(es.requests(), ","); got != "HEAD /_index_template/logstash,POST /_bulk,POST /_bulk" {
		t.Fatalf("requests %s", got)
	}
	if es.template("/_index_template/logstash")["_meta"].(map[string]any)["mine"] != true {
		t.Fatal("template changed")
	}
}

func TestTemplateOverwrite(t *testing.T) {
	t.Parallel()
	es := newTemplateES(t, "8.19.21")
	es.templates["/_index_template/logstash"] = `{"index_patterns":["logstash-*"],"_meta":{"mine":true}}`
	o := build(t, fmt.Sprintf(`hosts = [%q] template_overwrite = true`, es.URL), ecsDeps("disabled"))
	writeOne(t, o)
	if got := strings.Join(es.requests(), ","); got != "PUT /_index_template/logstash,POST /_bulk" {
		t.Fatalf("requests %s", got)
	}
	if es.template("/_index_template/logstash")["priority"] != 200.0 {
		t.Fatal("template not overwritten")
	}
}

func TestTemplateAPIByVersion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version, distribution, block, ecs, want string
	}{
		{"8.19.21", "", ``, "disabled", "/_index_template/logstash"},
		{"9.2.0", "", ``, "disabled", "/_index_template/logstash"},
		{"7.17.0", "", ``, "disabled", "/_template/logstash"},
		{"2.11.0", "opensearch", ``, "disabled", "/_template/logstash"},
		{"8.19.21", "", `template_api = "legacy"`, "disabled", "/_template/logstash"},
		{"7.17.0", "", `template_api = "composable"`, "disabled", "/_index_template/logstash"},
		{"8.19.21", "", `data_stream = "false"`, "v8", "/_index_template/ecs-logstash"},
		{"7.17.0", "", `ecs_compatibility = "v1" data_stream = "false"`, "disabled", "/_template/ecs-logstash"},
		{"8.19.21", "", `template_name = "my tmpl"`, "disabled", "/_index_template/my tmpl"},
	}
	for _, c := range cases {
		t.Run(c.version+c.distribution+c.block+c.ecs, func(t *testing.T) {
			es := newTemplateES(t, c.version)
			es.distribution = c.distribution
			o := build(t, fmt.Sprintf(`hosts = [%q] %s`, es.URL, c.block), ecsDeps(c.ecs))
			writeOne(t, o)
			reqs := es.requests()
			if len(reqs) != 3 || reqs[1] != "PUT "+c.want {
				t.Fatalf("requests %v, want PUT %s", reqs, c.want)
			}
			tm := es.template(c.want) // the fake sees the decoded path
			pattern := "logstash-*"
			if strings.Contains(c.want, "ecs-") {
				pattern = "ecs-logstash-*"
			}
			if pat, _ := tm["index_patterns"].([]any); len(pat) != 1 || pat[0] != pattern {
				t.Fatalf("index_patterns %v", tm["index_patterns"])
			}
			if strings.HasPrefix(c.want, "/_template/") {
				// Legacy form: settings and mappings at the top.
				if tm["template"] != nil || tm["settings"] == nil || tm["mappings"] == nil || tm["priority"] != nil {
					t.Fatalf("legacy template %v", tm)
				}
			} else if tm["template"] == nil || tm["settings"] != nil {
				t.Fatalf("composable template %v", tm)
			}
		})
	}
}

func TestTemplateFromFile(t *testing.T) {
	t.Parallel()
	es := newTemplateES(t, "8.19.21")
	file := filepath.Join(t.TempDir(), "t.json")
	const custom = `{"index_patterns": "app-*", "template": {"settings": {"number_of_shards": 3}}}`
	if err := os.WriteFile(file, []byte(custom), 0o600); err != nil {
		t.Fatal(err)
	}
	o := build(t, fmt.Sprintf(`hosts = [%q] template = %q template_name = "app"`, es.URL, file), ecsDeps("disabled"))
	writeOne(t, o)
	es.mu.Lock()
	got := es.templates["/_index_template/app"]
	es.mu.Unlock()
	if got != custom {
		t.Fatalf("template sent %q", got)
	}
}

func TestTemplateInstallRetried(t *testing.T) {
	t.Parallel()
	es := newTemplateES(t, "8.19.21")
	es.failPuts = 1
	var logs plugintest.SyncBuffer
	deps := logDeps(&logs)
	deps.Settings = pipeline.Settings{ECSCompatibility: "disabled"}.WithDefaults()
	o := build(t, fmt.Sprintf(`hosts = [%q] retry_initial_interval = 1`, es.URL), deps)
	start := time.Now()
	writeOne(t, o)
	if d := time.Since(start); d < time.Second {
		t.Errorf("retried after %s, want the 1 s backoff", d)
	}
	want := "HEAD /_index_template/logstash,PUT /_index_template/logstash,HEAD /_index_template/logstash,PUT /_index_template/logstash,POST /_bulk"
	if got := strings.Join(es.requests(), ","); got != want {
		t.Fatalf("requests\n got %s\nwant %s", got, want)
	}
	if !strings.Contains(logs.String(), "index template not installed; retrying") || !strings.Contains(logs.String(), "HTTP 500") {
		t.Fatalf("log:\n%s", logs.String())
	}

	// A template that never installs: nothing is indexed, and Write
	// returns when its context ends.
	es2 := newTemplateES(t, "8.19.21")
	es2.failPuts = 1 << 20
	o2 := build(t, fmt.Sprintf(`hosts = [%q] retry_initial_interval = 1`, es2.URL), ecsDeps("disabled"))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	err := o2.Write(ctx, []*pipeline.Event{event("x")})
	if err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("err = %v", err)
	}
	for _, r := range es2.requests() {
		if strings.Contains(r, "_bulk") {
			t.Fatal("indexed before the template was installed")
		}
	}
}

func TestTemplateDisabled(t *testing.T) {
	t.Parallel()
	es := newTemplateES(t, "8.19.21")
	o := build(t, fmt.Sprintf(`hosts = [%q] manage_template = false`, es.URL), ecsDeps("disabled"))
	writeOne(t, o)
	if got := strings.Join(es.requests(), ","); got != "POST /_bulk" {
		t.Fatalf("requests %s", got)
	}
}

func TestTemplateValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"index_patterns": ["a-*"], "template": {}}`)
	bad := map[string]string{
		fmt.Sprintf(`template = %q`, filepath.Join(dir, "missing.json")):                  "no such file",
		fmt.Sprintf(`template = %q`, write("notjson.json", `{"index_patterns": [`)):       "not a JSON object",
		fmt.Sprintf(`template = %q`, write("nopattern.json", `{"template": {}}`)):         "has no index_patterns",
		fmt.Sprintf(`template = %q`, write("emptypattern.json", `{"index_patterns":[]}`)): "index_patterns is neither",
		`template_api = "v2"`: "use auto, legacy or composable",
	}
	for block, want := range bad {
		if got := loadErrors(block); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", block, got, want)
		}
	}
	for _, ok := range []string{`manage_template = true`, `template_name = "x"`, `template_overwrite = true`,
		`template_api = "auto"`, `template_api = "legacy"`, `template_api = "composable"`, fmt.Sprintf(`template = %q`, good)} {
		if got := loadErrors(ok); got != "" {
			t.Errorf("%s: %s", ok, got)
		}
	}
}
