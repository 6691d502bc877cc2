package json_test

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
)

var fixed = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// registry is every built-in plugin.
func registry() *pipeline.Registry { return all.Registry() }

func build(t testing.TB, config string, d pipeline.Deps) pipeline.Filter {
	t.Helper()
	return plugintest.Build(t, registry(), "filter {\n"+config+"\n}", pipeline.KindFilter, d).(pipeline.Filter)
}

func event(t testing.TB, fields map[string]any) *pipeline.Event {
	t.Helper()
	e := pipeline.NewEvent()
	e.SetTimestamp(pipeline.NewTimestamp(fixed))
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a stable field order
	for _, k := range keys {
		v := fields[k]
		if err := e.Set(pipeline.MustFieldRef(k), v); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// encode shows the event as JSON without @timestamp (checked apart).
func encode(e *pipeline.Event) string {
	m := e.ToMap(false)
	m.Delete(pipeline.TimestampField)
	return string(pipeline.AppendJSONValue(nil, m))
}

func TestJSON(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config string
		in     map[string]any
		want   string // fields as JSON, without @timestamp
		result pipeline.FilterResult
		ts     string // expected @timestamp, "" = unchanged
	}{
		{"object to top level", `json { source = "message" }`,
			map[string]any{"message": `{"a":1,"b":{"c":"x"},"d":[true,null,1.5]}`},
			`{"@version":"1","message":"{\"a\":1,\"b\":{\"c\":\"x\"},\"d\":[true,null,1.5]}","a":1,"b":{"c":"x"},"d":[true,null,1.5]}`,
			pipeline.FilterMatched, ""},
		{"keys are field references", `json { source = "message" }`,
			map[string]any{"message": `{"[a][b]":1,"[@metadata][m]":2}`},
			`{"@version":"1","message":"{\"[a][b]\":1,\"[@metadata][m]\":2}","a":{"b":1}}`,
			pipeline.FilterMatched, ""},
		{"overwrites existing fields", `json { source = "message" }`,
			map[string]any{"message": `{"message":"inner","n":2}`, "n": int64(1)},
			`{"@version":"1","message":"inner","n":2}`,
			pipeline.FilterMatched, ""},
		{"missing source does nothing", `json {
			source = "nope"
			add_tag = ["ok"]
		}`,
			map[string]any{"message": `{}`},
			`{"@version":"1","message":"{}"}`,
			pipeline.FilterSkipped, ""},
		{"null source does nothing", `json { source = "message" }`,
			map[string]any{"message": nil},
			`{"@version":"1","message":null}`,
			pipeline.FilterSkipped, ""},
		{"invalid JSON is tagged", `json { source = "message" }`,
			map[string]any{"message": `{"a":`},
			`{"@version":"1","message":"{\"a\":","tags":["_jsonparsefailure"]}`,
			pipeline.FilterSkipped, ""},
		{"invalid number is tagged", `json { source = "message" }`,
			map[string]any{"message": `{"a":01}`},
			`{"@version":"1","message":"{\"a\":01}","tags":["_jsonparsefailure"]}`,
			pipeline.FilterSkipped, ""},
		{"empty string is invalid", `json { source = "message" }`,
			map[string]any{"message": ``},
			`{"@version":"1","message":"","tags":["_jsonparsefailure"]}`,
			pipeline.FilterSkipped, ""},
		{"skip_on_invalid_json", `json {
			source = "message"
			skip_on_invalid_json = true
		}`,
			map[string]any{"message": `nope`},
			`{"@version":"1","message":"nope"}`,
			pipeline.FilterSkipped, ""},
		{"custom tag_on_failure", `json {
			source = "message"
			tag_on_failure = ["bad", "worse"]
		}`,
			map[string]any{"message": `nope`},
			`{"@version":"1","message":"nope","tags":["bad","worse"]}`,
			pipeline.FilterSkipped, ""},
		{"non-string source is a failure", `json { source = "n" }`,
			map[string]any{"n": int64(5)},
			`{"@version":"1","n":5,"tags":["_jsonparsefailure"]}`,
			pipeline.FilterSkipped, ""},
		{"array without target fails", `json { source = "message" }`,
			map[string]any{"message": `[1,2]`},
			`{"@version":"1","message":"[1,2]","tags":["_jsonparsefailure"]}`,
			pipeline.FilterSkipped, ""},
		{"scalar without target fails", `json { source = "message" }`,
			map[string]any{"message": `"str"`},
			`{"@version":"1","message":"\"str\"","tags":["_jsonparsefailure"]}`,
			pipeline.FilterSkipped, ""},
		{"unparsable key fails, event unchanged", `json { source = "message" }`,
			map[string]any{"message": `{"a":1,"un[sup]]ported":2}`},
			`{"@version":"1","message":"{\"a\":1,\"un[sup]]ported\":2}","tags":["_jsonparsefailure"]}`,
			pipeline.FilterSkipped, ""},
		{"key through a scalar fails", `json { source = "message" }`,
			map[string]any{"message": `{"[s][x]":1}`, "s": "str"},
			`{"@version":"1","message":"{\"[s][x]\":1}","s":"str","tags":["_jsonparsefailure"]}`,
			pipeline.FilterSkipped, ""},
		{"target takes an object", `json {
			source = "message"
			target = "[doc][inner]"
		}`,
			map[string]any{"message": `{"a":1}`},
			`{"@version":"1","message":"{\"a\":1}","doc":{"inner":{"a":1}}}`,
			pipeline.FilterMatched, ""},
		{"target takes an array", `json {
			source = "message"
			target = "doc"
		}`,
			map[string]any{"message": `[1,"x"]`, "doc": "old"},
			`{"@version":"1","doc":[1,"x"],"message":"[1,\"x\"]"}`,
			pipeline.FilterMatched, ""},
		{"target takes a scalar", `json {
			source = "message"
			target = "doc"
		}`,
			map[string]any{"message": `12.5`},
			`{"@version":"1","message":"12.5","doc":12.5}`,
			pipeline.FilterMatched, ""},
		{"target takes null", `json {
			source = "message"
			target = "doc"
		}`,
			map[string]any{"message": `null`},
			`{"@version":"1","message":"null","doc":null}`,
			pipeline.FilterMatched, ""},
		{"target keeps @timestamp as a field", `json {
			source = "message"
			target = "doc"
		}`,
			map[string]any{"message": `{"@timestamp":"2020-01-02T03:04:05Z"}`},
			`{"@version":"1","message":"{\"@timestamp\":\"2020-01-02T03:04:05Z\"}","doc":{"@timestamp":"2020-01-02T03:04:05Z"}}`,
			pipeline.FilterMatched, ""},
		{"@timestamp is coerced", `json { source = "message" }`,
			map[string]any{"message": `{"@timestamp":"2020-01-02T03:04:05.123Z","a":1}`},
			`{"@version":"1","message":"{\"@timestamp\":\"2020-01-02T03:04:05.123Z\",\"a\":1}","a":1}`,
			pipeline.FilterMatched, "2020-01-02T03:04:05.123Z"},
		{"bracketed @timestamp is coerced", `json { source = "message" }`,
			map[string]any{"message": `{"[@timestamp]":"2020-01-02T03:04:05Z"}`},
			`{"@version":"1","message":"{\"[@timestamp]\":\"2020-01-02T03:04:05Z\"}"}`,
			pipeline.FilterMatched, "2020-01-02T03:04:05.000Z"},
		{"null @timestamp leaves it", `json { source = "message" }`,
			map[string]any{"message": `{"@timestamp":null}`},
			`{"@version":"1","message":"{\"@timestamp\":null}"}`,
			pipeline.FilterMatched, ""},
		{"add_* only on success", `json {
			source = "message"
			add_tag = ["parsed"]
			add_field = { "[from]" = "%{a}" }
			remove_field = ["message"]
		}`,
			map[string]any{"message": `{"a":"x"}`},
			`{"@version":"1","a":"x","from":"x","tags":["parsed"]}`,
			pipeline.FilterMatched, ""},
		{"add_* not on failure", `json {
			source = "message"
			add_tag = ["parsed"]
		}`,
			map[string]any{"message": `{`},
			`{"@version":"1","message":"{","tags":["_jsonparsefailure"]}`,
			pipeline.FilterSkipped, ""},
		{"nested source", `json { source = "[raw][body]" }`,
			map[string]any{"[raw][body]": `{"k":"v"}`},
			`{"@version":"1","raw":{"body":"{\"k\":\"v\"}"},"k":"v"}`,
			pipeline.FilterMatched, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := event(t, tc.in)
			got, ok := run(t, tc.config, e)
			if ok != tc.result {
				t.Errorf("result %v, want %v", ok, tc.result)
			}
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			ts, _ := e.Timestamp()
			want := tc.ts
			if want == "" {
				want = pipeline.NewTimestamp(fixed).String()
			}
			if ts.String() != want {
				t.Errorf("@timestamp %s, want %s", ts, want)
			}
		})
	}
}

// run builds the filter and runs it through a one-filter pipeline step
// (so add_*/remove_* apply as the engine applies them).
func run(t *testing.T, config string, e *pipeline.Event) (string, pipeline.FilterResult) {
	t.Helper()
	spec, diags := conf.Load([]conf.Source{{Name: "t.hcl", Data: []byte("filter {\n" + config + "\n}")}}, registry(), conf.Options{})
	if diags.HasErrors() {
		var b strings.Builder
		_ = diags.Write(&b, nil, false)
		t.Fatal(b.String())
	}
	ps := spec.Filters[0].(*pipeline.PluginSpec)
	f := build(t, config, pipeline.Deps{})
	res := f.Filter(e)
	if res == pipeline.FilterMatched {
		applyCommon(t, ps.Common, e)
	}
	return encode(e), res
}

// applyCommon applies add_field, remove_field, add_tag (constant formats
// or %{field} only), as the engine does on FilterMatched.
func applyCommon(t *testing.T, c pipeline.Common, e *pipeline.Event) {
	t.Helper()
	for _, kv := range c.AddField {
		tm, err := pipeline.ParseTemplate(kv.Value)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Set(pipeline.MustFieldRef(kv.Key), tm.Render(e)); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range c.RemoveField {
		e.Remove(pipeline.MustFieldRef(f))
	}
	for _, tag := range c.AddTag {
		e.AddTag(tag)
	}
}

func TestTimestampParseFailure(t *testing.T) {
	f := build(t, `json { source = "message" }`, pipeline.Deps{})
	e := event(t, map[string]any{"message": `{"@timestamp":"not a time","a":1}`})
	before := pipeline.Now()
	if r := f.Filter(e); r != pipeline.FilterMatched {
		t.Fatalf("result %v", r)
	}
	ts, _ := e.Timestamp()
	if ts.Time().Before(before.Time()) {
		t.Errorf("@timestamp %s should be now", ts)
	}
	if v, _ := e.Get(pipeline.MustFieldRef("_@timestamp")); v != "not a time" {
		t.Errorf("_@timestamp = %v", v)
	}
	if !e.HasTag(pipeline.TagTimestampParseFailure) {
		t.Errorf("tags %v", e.Tags())
	}
	e = event(t, map[string]any{"message": `{"@timestamp":12}`})
	f.Filter(e)
	if v, _ := e.Get(pipeline.MustFieldRef("_@timestamp")); v != int64(12) || !e.HasTag(pipeline.TagTimestampParseFailure) {
		t.Errorf("number @timestamp: _@timestamp = %v, tags %v", v, e.Tags())
	}
}

func TestCountersAndWarnOnce(t *testing.T) {
	var logs bytes.Buffer
	m := &pipeline.Metrics{}
	f := build(t, `json { source = "message" }`, pipeline.Deps{Metrics: m,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)), Settings: pipeline.Settings{ECSCompatibility: "disabled"}})
	for _, msg := range []string{`{"a":1}`, `[1]`, `[2]`, `{`, `{`, `{"b":2}`} {
		f.Filter(event(t, map[string]any{"message": msg}))
	}
	for name, want := range map[string]int64{"matches": 2, "failures": 4, "invalid_json": 2} {
		if got := m.Counter(name).Load(); got != want {
			t.Errorf("%s = %d, want %d", name, got, want)
		}
	}
	if n := strings.Count(logs.String(), "requires a target"); n != 1 {
		t.Errorf("%d 'requires a target' warnings, want 1:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "Error parsing json"); n != 1 {
		t.Errorf("%d parse warnings, want 1:\n%s", n, logs.String())
	}
}

func TestECSWarning(t *testing.T) {
	var logs bytes.Buffer
	build(t, `json {
		source = "message"
		ecs_compatibility = "v8"
	}`, pipeline.Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if !strings.Contains(logs.String(), "target") {
		t.Errorf("no ECS warning: %q", logs.String())
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ config, want string }{
		{`json {}`, `Missing required option "source"`},
		{`json { source = "a[b" }`, "option source: not a field reference"},
		{`json {
			source = "message"
			target = "[a"
		}`, "option target: not a field reference"},
		{`json {
			source = "message"
			ecs_compatibility = "v9"
		}`, `option ecs_compatibility: unknown value "v9"`},
	} {
		_, diags := conf.Load([]conf.Source{{Name: "t.hcl", Data: []byte("filter {\n" + tc.config + "\n}")}}, registry(), conf.Options{})
		var b strings.Builder
		_ = diags.Write(&b, nil, false)
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("%s: got %q, want %q", tc.config, b.String(), tc.want)
		}
	}
}

func TestConcurrent(t *testing.T) {
	f := build(t, `json { source = "message" }`, pipeline.Deps{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				e := event(t, map[string]any{"message": `{"g":` + itoa(g) + `,"i":` + itoa(i) + `,"s":"v` + itoa(i) + `"}`})
				if f.Filter(e) != pipeline.FilterMatched {
					t.Error("no match")
					return
				}
				if v, _ := e.Get(pipeline.MustFieldRef("s")); v != "v"+itoa(i) {
					t.Errorf("s = %v", v)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func itoa(i int) string { return string(pipeline.AppendJSONValue(nil, int64(i))) }

// pythonLogstash is the message of a python-logstash event (the inner JSON
// a shipper wraps in a plain line).
const pythonLogstash = `{"@timestamp": "2024-05-01T12:00:00.123Z", "@version": "1", "message": "GET /api/v1/items 200", "host": "web-1", "path": "/srv/app/views.py", "tags": [], "type": "logstash", "level": "INFO", "logger_name": "app.views", "stack_info": null, "status_code": 200, "duration_ms": 12.5}`

func BenchmarkJSONFilter(b *testing.B) {
	f := build(b, `json { source = "message" }`, pipeline.Deps{})
	b.ReportAllocs()
	b.SetBytes(int64(len(pythonLogstash)))
	for b.Loop() {
		e := pipeline.NewMessageEvent(pythonLogstash)
		if f.Filter(e) != pipeline.FilterMatched {
			b.Fatal("no match")
		}
	}
}
