package elasticsearch_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/outputs/elasticsearch"
)

func TestBulkBodyPerAction(t *testing.T) {
	t.Parallel()
	src := `{"@timestamp":"2024-03-02T01:30:00.000Z","@version":"1","message":"hi","u":"42","r":"r1"}`
	cases := []struct {
		name, block, want string
	}{
		{"index default", ``,
			`{"index":{"_index":"logstash-2024.03.02"}}` + "\n" + src + "\n"},
		{"index with id routing pipeline", `index = "idx-%{[u]}" document_id = "%{u}" routing = "%{r}" pipeline = "p-%{r}"`,
			`{"index":{"_index":"idx-42","_id":"42","routing":"r1","pipeline":"p-r1"}}` + "\n" + src + "\n"},
		{"create", `action = "create" index = "i" document_id = "%{u}"`,
			`{"create":{"_index":"i","_id":"42"}}` + "\n" + src + "\n"},
		{"update", `action = "update" index = "i" document_id = "%{u}"`,
			`{"update":{"_index":"i","_id":"42","retry_on_conflict":1}}` + "\n" + `{"doc":` + src + "}\n"},
		{"update upsert", `action = "update" index = "i" document_id = "%{u}" doc_as_upsert = true retry_on_conflict = 3 routing = "%{r}"`,
			`{"update":{"_index":"i","_id":"42","routing":"r1","retry_on_conflict":3}}` + "\n" + `{"doc":` + src + `,"doc_as_upsert":true}` + "\n"},
		{"delete", `action = "delete" index = "i" document_id = "%{u}" routing = "%{r}"`,
			`{"delete":{"_index":"i","_id":"42","routing":"r1"}}` + "\n"},
		{"action from field", `action = "%{u}x" index = "i"`, ``},
		{"ecs v8 default is the data stream", `ecs_compatibility = "v8"`,
			`{"create":{"_index":"logs-generic-default"}}` + "\n" + strings.TrimSuffix(src, "}") +
				`,"data_stream":{"type":"logs","dataset":"generic","namespace":"default"}}` + "\n"},
		{"ecs v8 without data stream", `ecs_compatibility = "v8" data_stream = "false"`,
			`{"index":{"_index":"ecs-logstash-2024.03.02"}}` + "\n" + src + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			es := newFakeES(t, nil)
			deps := pipeline.Deps{Metrics: &pipeline.Metrics{}, Settings: pipeline.Settings{ECSCompatibility: "disabled"}.WithDefaults()}
			o := build(t, fmt.Sprintf(`hosts = [%q] %s`, es.URL, c.block), deps)
			if err := o.Write(context.Background(), []*pipeline.Event{event("hi", "u", "42", "r", "r1")}); err != nil {
				t.Fatal(err)
			}
			reqs := es.bulkRequests()
			if c.want == "" {
				if len(reqs) != 0 || counter(deps.Metrics, elasticsearch.CounterDropped) != 1 {
					t.Fatalf("unknown action: %d requests, dropped %d", len(reqs), counter(deps.Metrics, elasticsearch.CounterDropped))
				}
				return
			}
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if r.Body != c.want {
				t.Errorf("body\n got %s\nwant %s", r.Body, c.want)
			}
			if r.Path != "/_bulk?filter_path=errors,items.*.error,items.*.status" {
				t.Errorf("path %s", r.Path)
			}
			if r.Header.Get("Content-Type") != "application/x-ndjson" || r.Header.Get("Content-Encoding") != "gzip" ||
				r.Header.Get("X-Elastic-Event-Count") != "1" || r.Header.Get("X-Elastic-Uncompressed-Request-Length") != strconv.Itoa(len(c.want)) {
				t.Errorf("headers %v", r.Header)
			}
		})
	}
}

func TestUncompressedAndPathPrefixAndCustomHeaders(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, nil)
	o := build(t, fmt.Sprintf(`hosts = ["%s/prefix/"] compression_level = 0 custom_headers = { "X-Tenant" = "a" }`, es.URL), pipeline.Deps{})
	if err := o.Write(context.Background(), []*pipeline.Event{event("a"), event("b")}); err != nil {
		t.Fatal(err)
	}
	r := es.bulkRequests()[0]
	if r.Header.Get("Content-Encoding") != "" || r.Header.Get("X-Tenant") != "a" || r.Header.Get("X-Elastic-Event-Count") != "2" {
		t.Fatalf("headers %v", r.Header)
	}
	if !strings.HasPrefix(r.Path, "/prefix/_bulk?") {
		t.Fatalf("path %s", r.Path)
	}
}

func TestSplitsAtTwentyMiB(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, nil)
	o := build(t, fmt.Sprintf(`hosts = [%q] compression_level = 0 index = "i"`, es.URL), pipeline.Deps{})
	big := strings.Repeat("x", 3<<20)
	var evs []*pipeline.Event
	for i := range 8 { // 8 × 3 MiB: 6 fit in 20 MiB, then 2
		evs = append(evs, event(big+strconv.Itoa(i)))
	}
	huge := strings.Repeat("y", 21<<20) // alone
	evs = append(evs, event(huge))
	if err := o.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	var counts []int
	for _, r := range es.bulkRequests() {
		if len(r.Body) > 20<<20 && len(docs(r.Body)) > 1 {
			t.Errorf("request of %d bytes with %d docs", len(r.Body), len(docs(r.Body)))
		}
		counts = append(counts, len(docs(r.Body)))
	}
	if fmt.Sprint(counts) != "[6 2 1]" {
		t.Fatalf("documents per request %v", counts)
	}
}

// itemsResponse builds a bulk response with the given item statuses.
func itemsResponse(statuses ...int) string {
	var b strings.Builder
	b.WriteString(`{"errors":true,"items":[`)
	for i, s := range statuses {
		if i > 0 {
			b.WriteByte(',')
		}
		if s >= 300 {
			fmt.Fprintf(&b, `{"index":{"status":%d,"error":{"type":"t%d","reason":"r%d"}}}`, s, s, s)
		} else {
			fmt.Fprintf(&b, `{"index":{"status":%d}}`, s)
		}
	}
	b.WriteString("]}")
	return b.String()
}

func TestPerItemStatuses(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, func(n int, r request) (int, string) {
		switch n {
		case 0:
			return 200, itemsResponse(201, 409, 400, 404, 429, 500, 422)
		case 1:
			return 200, itemsResponse(201, 503)
		}
		return 200, `{"errors":false}`
	})
	deps := logDeps(&plugintest.SyncBuffer{})
	o := build(t, fmt.Sprintf(`hosts = [%q] retry_initial_interval = 1 index = "i" dlq_custom_codes = [422]`, es.URL), deps)
	var evs []*pipeline.Event
	for i := range 7 {
		evs = append(evs, event("m"+strconv.Itoa(i)))
	}
	if err := o.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	reqs := es.bulkRequests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests", len(reqs))
	}
	msgs := func(r request) string {
		var out []string
		for _, d := range docs(r.Body) {
			i := strings.Index(d, `"message":"`)
			out = append(out, d[i+11:i+13])
		}
		return strings.Join(out, ",")
	}
	if got := msgs(reqs[1]); got != "m4,m5" {
		t.Errorf("second request resent %s, want m4,m5", got)
	}
	if got := msgs(reqs[2]); got != "m5" {
		t.Errorf("third request resent %s, want m5", got)
	}
	if counter(deps.Metrics, elasticsearch.CounterConflicts) != 1 || counter(deps.Metrics, elasticsearch.CounterDropped) != 3 ||
		counter(deps.Metrics, elasticsearch.CounterRetried) != 3 {
		t.Errorf("counters %v", deps.Metrics.Snapshot())
	}
}

func TestSilenceErrorsInLog(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, func(int, request) (int, string) { return 200, itemsResponse(400) })
	var logs plugintest.SyncBuffer
	o := build(t, fmt.Sprintf(`hosts = [%q] silence_errors_in_log = ["t400"]`, es.URL), logDeps(&logs))
	if err := o.Write(context.Background(), []*pipeline.Event{event("a")}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "t400") {
		t.Fatalf("silenced error logged:\n%s", logs.String())
	}
}

func TestWholeRequestRetries(t *testing.T) {
	t.Parallel()
	for _, status := range []int{429, 503, 401} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			es := newFakeES(t, func(n int, r request) (int, string) {
				if n == 0 {
					return status, `{"error":"busy"}`
				}
				return 200, `{"errors":false}`
			})
			o := build(t, fmt.Sprintf(`hosts = [%q] retry_initial_interval = 1`, es.URL), pipeline.Deps{})
			if err := o.Write(context.Background(), []*pipeline.Event{event("a"), event("b")}); err != nil {
				t.Fatal(err)
			}
			reqs := es.bulkRequests()
			if len(reqs) != 2 || reqs[0].Body != reqs[1].Body {
				t.Fatalf("%d requests", len(reqs))
			}
		})
	}
}

func TestRequestTooLargeSplits(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, func(n int, r request) (int, string) {
		if len(r.Body) > 2500 {
			return 413, ``
		}
		return 200, `{"errors":false}`
	})
	deps := logDeps(&plugintest.SyncBuffer{})
	o := build(t, fmt.Sprintf(`hosts = [%q] index = "i"`, es.URL), deps)
	var evs []*pipeline.Event
	for i := range 8 {
		evs = append(evs, event(strings.Repeat("s", 200)+strconv.Itoa(i)))
	}
	evs = append(evs, event(strings.Repeat("L", 3000)))
	if err := o.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	indexed := 0
	for _, r := range es.bulkRequests() {
		if len(r.Body) <= 2500 {
			indexed += len(docs(r.Body))
		}
	}
	if indexed != 8 || counter(deps.Metrics, elasticsearch.CounterTooLarge) != 1 {
		t.Fatalf("indexed %d, too_large %d", indexed, counter(deps.Metrics, elasticsearch.CounterTooLarge))
	}
}

func TestBadRequestIsolatesTheDocument(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, func(n int, r request) (int, string) {
		if strings.Contains(r.Body, "BAD") {
			return 400, `{"error":{"type":"parse_exception"}}`
		}
		return 200, `{"errors":false}`
	})
	deps := logDeps(&plugintest.SyncBuffer{})
	o := build(t, fmt.Sprintf(`hosts = [%q]`, es.URL), deps)
	var evs []*pipeline.Event
	for i := range 10 {
		evs = append(evs, event("ok"+strconv.Itoa(i)))
	}
	evs[6] = event("BAD")
	if err := o.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	indexed := 0
	for _, r := range es.bulkRequests() {
		if !strings.Contains(r.Body, "BAD") {
			indexed += len(docs(r.Body))
		}
	}
	if indexed != 9 || counter(deps.Metrics, elasticsearch.CounterDropped) != 1 {
		t.Fatalf("indexed %d, dropped %d", indexed, counter(deps.Metrics, elasticsearch.CounterDropped))
	}
}

func TestConnectionRefusedThenRecovers(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	o := build(t, fmt.Sprintf(`hosts = ["http://%s"] retry_initial_interval = 1`, addr), pipeline.Deps{})
	es := &fakeES{}
	go func() {
		time.Sleep(300 * time.Millisecond)
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		es.Server = &httptest.Server{Listener: l, Config: &http.Server{Handler: es}}
		es.Start()
	}()
	t.Cleanup(func() {
		if es.Server != nil {
			es.Close()
		}
	})
	// The product check fails first: the engine retries Write.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var err error
	for ctx.Err() == nil {
		if err = o.Write(ctx, []*pipeline.Event{event("a")}); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if n := len(es.bulkRequests()); n != 1 {
		t.Fatalf("%d bulk requests", n)
	}
}

func TestConnectionLostDuringWriteIsRetriedInside(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	fail := true
	es := newFakeES(t, nil)
	es.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		f := fail && r.Method == http.MethodPost
		fail = fail && r.Method != http.MethodPost
		mu.Unlock()
		if f {
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
			return
		}
		es.ServeHTTP(w, r)
	})
	o := build(t, fmt.Sprintf(`hosts = [%q] retry_initial_interval = 1 resurrect_delay = 0`, es.URL), pipeline.Deps{})
	if err := o.Write(context.Background(), []*pipeline.Event{event("a")}); err != nil {
		t.Fatal(err)
	}
	if n := len(es.bulkRequests()); n != 1 {
		t.Fatalf("%d bulk requests recorded", n)
	}
}

func TestRoundRobinAndResurrection(t *testing.T) {
	t.Parallel()
	a, b := newFakeES(t, nil), newFakeES(t, nil)
	dead := freeAddr(t)
	o := build(t, fmt.Sprintf(`hosts = [%q, %q, "http://%s"] product_check = "none" retry_initial_interval = 1`, a.URL, b.URL, dead), pipeline.Deps{})
	for range 6 {
		if err := o.Write(context.Background(), []*pipeline.Event{event("x")}); err != nil {
			t.Fatal(err)
		}
	}
	// The dead host is tried once (request retried on another), then set
	// aside for 5 s: 6 writes + 1 retry over a and b.
	na, nb := len(a.bulkRequests()), len(b.bulkRequests())
	if na+nb != 6 || na < 2 || nb < 2 {
		t.Fatalf("a %d, b %d", na, nb)
	}
}

func TestResurrectAfterDelay(t *testing.T) {
	t.Parallel()
	a := newFakeES(t, nil)
	addr := freeAddr(t)
	o := build(t, fmt.Sprintf(`hosts = ["http://%s", %q] product_check = "none" retry_initial_interval = 1 resurrect_delay = 1`, addr, a.URL), pipeline.Deps{})
	if err := o.Write(context.Background(), []*pipeline.Event{event("x")}); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	b := &fakeES{}
	b.Server = &httptest.Server{Listener: l, Config: &http.Server{Handler: b}}
	b.Start()
	defer b.Close()
	time.Sleep(1100 * time.Millisecond)
	for range 4 {
		if err := o.Write(context.Background(), []*pipeline.Event{event("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if len(b.bulkRequests()) == 0 {
		t.Fatal("host not resurrected")
	}
}

func TestBasicAuth(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, nil)
	o := build(t, fmt.Sprintf(`hosts = [%q] user = "elastic" password = "pw"`, es.URL), pipeline.Deps{})
	if err := o.Write(context.Background(), []*pipeline.Event{event("a")}); err != nil {
		t.Fatal(err)
	}
	r := es.bulkRequests()[0]
	if r.Header.Get("Authorization") != "Basic ZWxhc3RpYzpwdw==" {
		t.Fatalf("Authorization %q", r.Header.Get("Authorization"))
	}
}

func TestTLSWithPrivateCAAndAPIKey(t *testing.T) {
	t.Parallel()
	p := newPKI(t)
	es := newTLSFakeES(t, p)
	for _, c := range []struct{ name, block, auth string }{
		{"ca file and id:key", fmt.Sprintf(`ssl_certificate_authorities = [%q] api_key = "id:key"`, p.caFile), "ApiKey aWQ6a2V5"},
		{"fingerprint and encoded key", fmt.Sprintf(`ca_trusted_fingerprint = %q api_key = "aWQ6a2V5"`, p.fingerprint), "ApiKey aWQ6a2V5"},
		{"verification none", `ssl_verification_mode = "none"`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := build(t, fmt.Sprintf(`hosts = [%q] %s`, es.URL, c.block), pipeline.Deps{})
			if err := o.Write(context.Background(), []*pipeline.Event{event("a")}); err != nil {
				t.Fatal(err)
			}
			reqs := es.bulkRequests()
			if got := reqs[len(reqs)-1].Header.Get("Authorization"); !strings.EqualFold(got, c.auth) {
				t.Fatalf("Authorization %q, want %q", got, c.auth)
			}
		})
	}
	t.Run("untrusted", func(t *testing.T) {
		for _, block := range []string{``, `ca_trusted_fingerprint = "` + strings.Repeat("ab", 32) + `"`} {
			o := build(t, fmt.Sprintf(`hosts = [%q] %s`, es.URL, block), pipeline.Deps{})
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			err := o.Write(ctx, []*pipeline.Event{event("a")})
			cancel()
			if err == nil || !strings.Contains(err.Error(), "certificate") && !strings.Contains(err.Error(), "fingerprint") {
				t.Fatalf("%s: err = %v", block, err)
			}
		}
	})
}

func TestOpenSearch(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, nil)
	es.opensrch = true
	for _, check := range []string{"auto", "opensearch", "none"} {
		o := build(t, fmt.Sprintf(`hosts = [%q] product_check = %q`, es.URL, check), pipeline.Deps{})
		if err := o.Write(context.Background(), []*pipeline.Event{event("a")}); err != nil {
			t.Fatalf("%s: %v", check, err)
		}
	}
	o := build(t, fmt.Sprintf(`hosts = [%q] product_check = "elasticsearch"`, es.URL), pipeline.Deps{})
	if err := o.Write(context.Background(), []*pipeline.Event{event("a")}); err == nil || !strings.Contains(err.Error(), "not Elasticsearch") {
		t.Fatalf("err = %v", err)
	}
}

func TestSecretsNeverInLogsOrErrors(t *testing.T) {
	t.Parallel()
	const pw, key = "hunter2-secret-pw", "kid:very-secret-key"
	es := newFakeES(t, func(int, request) (int, string) { return 401, `{"error":"security_exception"}` })
	var logs plugintest.SyncBuffer
	o := build(t, fmt.Sprintf(`hosts = [%q] user = "u" password = %q`, es.URL, pw), logDeps(&logs))
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	err := o.Write(ctx, []*pipeline.Event{event("a")})
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	p := newPKI(t)
	tes := newTLSFakeES(t, p)
	o2 := build(t, fmt.Sprintf(`hosts = [%q] api_key = %q`, tes.URL, key), logDeps(&logs)) // untrusted: TLS error
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Second)
	defer cancel2()
	err2 := o2.Write(ctx2, []*pipeline.Event{event("a")})
	diag := loadErrors(fmt.Sprintf(`hosts = ["http://x"] api_key = %q password = %q`, "not-a-key", pw))
	all := logs.String() + fmt.Sprint(err) + fmt.Sprint(err2) + diag
	for _, s := range []string{pw, key, "very-secret", "not-a-key"} {
		if strings.Contains(all, s) {
			t.Fatalf("secret %q leaked:\n%s", s, all)
		}
	}
	if logs.String() == "" || diag == "" {
		t.Fatal("expected logs and diagnostics")
	}
}

func TestConcurrentWritesBoundedByMaxInFlight(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	cur, peak := 0, 0
	es := newFakeES(t, func(int, request) (int, string) { return 200, `{"errors":false}` })
	inner := es.Config.Handler
	es.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		cur++
		peak = max(peak, cur)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		inner.ServeHTTP(w, r)
		mu.Lock()
		cur--
		mu.Unlock()
	})
	o := build(t, fmt.Sprintf(`hosts = [%q] max_in_flight = 3 product_check = "none"`, es.URL), pipeline.Deps{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				if err := o.Write(context.Background(), []*pipeline.Event{event(fmt.Sprint(w, i))}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if peak > 3 || len(es.bulkRequests()) != 80 {
		t.Fatalf("peak %d, requests %d", peak, len(es.bulkRequests()))
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	rejected := []string{
		`ilm_enabled = true`, `ilm_rollover_alias = "a"`, `ilm_pattern = "x"`, `ilm_policy = "p"`,
		`cloud_id = "x"`, `cloud_auth = "u:p"`, `script = "s"`, `script_type = "inline"`, `script_lang = "painless"`, `script_var_name = "e"`, `scripted_upsert = true`,
		`upsert = "{}"`, `version = "1"`, `version_type = "external"`, `document_type = "_doc"`, `parent = "p"`, `join_field = "j"`,
		`sniffing = true`, `sniffing_delay = 5`, `sniffing_path = "/x"`, `http_compression = true`, `proxy = "http://p"`,
		`dlq_on_failed_indexname_interpolation = false`, `path = "/x"`, `bulk_path = "/b"`, `parameters = { a = "b" }`, `healthcheck_path = "/"`,
		`validate_after_inactivity = 1`, `ssl_supported_protocols = ["TLSv1.3"]`, `ssl_cipher_suites = ["x"]`, `ssl_truststore_path = "x"`,
		`ssl_keystore_path = "x"`, `ssl = true`, `cacert = "x"`, `drop_error_types = ["x"]`, `failure_type_logging_whitelist = ["x"]`,
	}
	for _, block := range rejected {
		name, _, _ := strings.Cut(block, " ")
		got := loadErrors(block)
		if !strings.Contains(got, name+": not supported yet by pipe: ") {
			t.Errorf("%s: %q", block, got)
		}
	}
	bad := map[string]string{
		`data_stream = "maybe"`:                   `unknown value "maybe"`,
		`action = "upsert"`:                       `unknown action "upsert"`,
		`index = "%{"`:                            "",
		`hosts = ["ftp://x"]`:                     "not http or https",
		`hosts = ["http://u:p@x"]`:                "credentials in host",
		`api_key = "id:k"`:                        "api_key needs TLS",
		`ssl_verification_mode = "certificate"`:   "use full or none",
		`product_check = "solr"`:                  "unknown value",
		`compression_level = 10`:                  "out of range",
		`ssl_enabled = true hosts = ["http://x"]`: "ssl_enabled = true with http hosts",
		`ssl_enabled = true ssl_certificate_authorities = ["/nonexistent"]`: "cannot read CA file",
		`ca_trusted_fingerprint = "zz" hosts = ["https://x"]`:               "not a SHA-256 fingerprint",
	}
	for block, want := range bad {
		got := loadErrors(block)
		if want == "" && block == `index = "%{"` {
			continue // "%{" without "}" is literal text, as in Logstash
		}
		if got == "" || !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", block, got, want)
		}
	}
	for _, ok := range []string{`manage_template = false`, `data_stream = "false"`, `hosts = ["es1", "//es2:9201", "http://es3/p"]`, `hosts = ["https://es3/p", "es4"] ssl_verification_mode = "none"`,
		`pool_max = 10 pool_max_per_route = 5 dlq_custom_codes = [413]`, `action = "%{[@metadata][action]}"`} {
		if got := loadErrors(ok); got != "" {
			t.Errorf("%s: %s", ok, got)
		}
	}
}
