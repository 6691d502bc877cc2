package grok_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
)

// registry is every built-in plugin.
func registry() *pipeline.Registry { return all.Registry() }

func build(t testing.TB, config string, d pipeline.Deps) pipeline.Filter {
	t.Helper()
	return plugintest.Build(t, registry(), "filter {\n"+config+"\n}", pipeline.KindFilter, d).(pipeline.Filter)
}

func event(t testing.TB, fields map[string]any) *pipeline.Event {
	t.Helper()
	e := pipeline.NewEvent()
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
	e.Fields().Delete(pipeline.VersionField)
	return e
}

func encode(e *pipeline.Event) string {
	return string(pipeline.AppendJSONValue(nil, e.Fields()))
}

const (
	apacheLine = `83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"`
	syslogLine = `Mar  7 04:02:16 ip-172-31-27-153 sshd[29346]: Received disconnect from 122.254.200.114 port 58966:11: Normal Shutdown, Thanks for playing [preauth]`
	sha1Line   = `371679e24301dc140fbb7d0fd7957adb9ad32e41 1625 audio/mpeg`
)

func TestGrok(t *testing.T) {
	q := func(s string) string { return strings.ReplaceAll(s, `"`, `\"`) }
	for _, tc := range []struct {
		name   string
		config string
		in     map[string]any
		want   string
		result pipeline.FilterResult
	}{
		{"sha1 with pattern_definitions", `grok {
			match = { message = "%{SHA1:sha1} %{INT:content_length:int} %{NOTSPACE:content_type}" }
			pattern_definitions = { SHA1 = "[0-9a-f]{40}" }
		}`, map[string]any{"message": sha1Line},
			`{"message":"` + sha1Line + `","sha1":"371679e24301dc140fbb7d0fd7957adb9ad32e41","content_length":1625,"content_type":"audio/mpeg"}`,
			pipeline.FilterMatched},
		{"COMBINEDAPACHELOG legacy", `grok {
			match = { message = "%{COMBINEDAPACHELOG}" }
			ecs_compatibility = "disabled"
		}`, map[string]any{"message": apacheLine},
			`{"message":"` + q(apacheLine) + `","clientip":"83.149.9.216","ident":"-","auth":"-","timestamp":"17/May/2015:10:05:03 +0000",` +
				`"verb":"GET","request":"/presentations/logstash-monitorama-2013/images/kibana-search.png","httpversion":"1.1","response":"200","bytes":"203023",` +
				`"referrer":"\"http://semicomplete.com/presentations/logstash-monitorama-2013/\"",` +
				`"agent":"\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36\""}`,
			pipeline.FilterMatched},
		{"COMBINEDAPACHELOG ecs v8", `grok {
			match = { message = "%{COMBINEDAPACHELOG}" }
			ecs_compatibility = "v8"
		}`, map[string]any{"message": apacheLine},
			`{"message":"` + q(apacheLine) + `","source":{"address":"83.149.9.216"},"timestamp":"17/May/2015:10:05:03 +0000",` +
				`"http":{"request":{"method":"GET","referrer":"http://semicomplete.com/presentations/logstash-monitorama-2013/"},"version":"1.1","response":{"status_code":200,"body":{"bytes":203023}}},` +
				`"url":{"original":"/presentations/logstash-monitorama-2013/images/kibana-search.png"},` +
				`"user_agent":{"original":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"}}`,
			pipeline.FilterMatched},
		{"SYSLOGLINE legacy with overwrite", `grok {
			match = { message = "%{SYSLOGLINE}" }
			overwrite = ["message"]
			ecs_compatibility = "disabled"
		}`, map[string]any{"message": syslogLine},
			`{"message":"Received disconnect from 122.254.200.114 port 58966:11: Normal Shutdown, Thanks for playing [preauth]",` +
				`"timestamp":"Mar  7 04:02:16","logsource":"ip-172-31-27-153","program":"sshd","pid":"29346"}`,
			pipeline.FilterMatched},
		{"SYSLOGLINE ecs v1 with overwrite", `grok {
			match = { message = "%{SYSLOGLINE}" }
			overwrite = ["message"]
			ecs_compatibility = "v1"
		}`, map[string]any{"message": syslogLine},
			`{"message":"Received disconnect from 122.254.200.114 port 58966:11: Normal Shutdown, Thanks for playing [preauth]",` +
				`"timestamp":"Mar  7 04:02:16","host":{"hostname":"ip-172-31-27-153"},"process":{"name":"sshd","pid":29346}}`,
			pipeline.FilterMatched},
		{"SYSLOGLINE without overwrite promotes message", `grok {
			match = { message = "%{SYSLOGBASE} %{GREEDYDATA:message}" }
			ecs_compatibility = "disabled"
		}`, map[string]any{"message": "Mar  7 04:02:16 host app: hi"},
			`{"message":["Mar  7 04:02:16 host app: hi","hi"],"timestamp":"Mar  7 04:02:16","logsource":"host","program":"app"}`,
			pipeline.FilterMatched},
		{"existing array is appended, other types left", `grok {
			match = { message = "%{WORD:list} %{WORD:num} %{WORD:obj} %{WORD:nul}" }
		}`, map[string]any{"message": "a b c d", "list": []any{"x"}, "num": int64(5), "[obj][k]": "v", "nul": nil},
			`{"obj":{"k":"v"},"list":["x","a"],"message":"a b c d","nul":"d","num":5}`,
			pipeline.FilterMatched},
		{"target", `grok {
			match = { message = "%{WORD:w} %{INT:[n][v]:int}" }
			target = "parsed"
		}`, map[string]any{"message": "abc 12"},
			`{"message":"abc 12","parsed":{"w":"abc","n":{"v":12}}}`,
			pipeline.FilterMatched},
		{"float conversion", `grok {
			match = { message = "%{NUMBER:f:float} %{NUMBER:i:int}" }
		}`, map[string]any{"message": "1.5 2.75"},
			`{"message":"1.5 2.75","f":1.5,"i":2}`,
			pipeline.FilterMatched},
		{"failure tags, no add_tag", `grok {
			match = { message = "^%{INT:n}$" }
			add_tag = ["ok"]
		}`, map[string]any{"message": "abc"},
			`{"message":"abc","tags":["_grokparsefailure"]}`,
			pipeline.FilterSkipped},
		{"custom tag_on_failure", `grok {
			match = { message = "^%{INT:n}$" }
			tag_on_failure = ["x", "y"]
		}`, map[string]any{"message": "abc"},
			`{"message":"abc","tags":["x","y"]}`,
			pipeline.FilterSkipped},
		{"break_on_match stops at the first pattern", `grok {
			match = { message = ["%{WORD:first}", "%{INT:num}"] }
		}`, map[string]any{"message": "abc 12"},
			`{"message":"abc 12","first":"abc"}`,
			pipeline.FilterMatched},
		{"break_on_match false collects from all patterns", `grok {
			match = { message = ["%{WORD:first}", "%{INT:num}"] }
			break_on_match = false
		}`, map[string]any{"message": "abc 12"},
			`{"message":"abc 12","first":"abc","num":"12"}`,
			pipeline.FilterMatched},
		{"break_on_match false: the last pattern decides", `grok {
			match = { message = ["%{WORD:first}", "^%{INT:num}$"] }
			break_on_match = false
		}`, map[string]any{"message": "abc 12"},
			`{"message":"abc 12","first":"abc","tags":["_grokparsefailure"]}`,
			pipeline.FilterSkipped},
		{"several fields in order, break at the first", `grok {
			match = { a = "%{INT:x}", b = "%{WORD:y}" }
		}`, map[string]any{"a": "nope", "b": "word"},
			`{"a":"nope","b":"word","y":"word"}`,
			pipeline.FilterMatched},
		{"several fields without break", `grok {
			match = { a = "%{INT:x}", b = "%{WORD:y}" }
			break_on_match = false
		}`, map[string]any{"a": "7", "b": "word"},
			`{"a":"7","b":"word","x":"7","y":"word"}`,
			pipeline.FilterMatched},
		{"list-valued field tries each element (an int is left alone)", `grok {
			match = { message = "%{WORD:w} %{INT:n:int}" }
		}`, map[string]any{"message": []any{"a 1", "nope", "b 2"}},
			`{"message":["a 1","nope","b 2"],"w":["a","b"],"n":1}`,
			pipeline.FilterMatched},
		{"non-string matched as its string form", `grok {
			match = { n = "^%{INT:copy:int}$" }
		}`, map[string]any{"n": int64(42)},
			`{"n":42,"copy":42}`,
			pipeline.FilterMatched},
		{"missing field is matched as empty", `grok {
			match = { nope = "^$" }
		}`, map[string]any{"message": "x"},
			`{"message":"x"}`,
			pipeline.FilterMatched},
		{"named_captures_only false keeps %{NAME}", `grok {
			match = { message = "%{WORD} %{INT:n}" }
			named_captures_only = false
		}`, map[string]any{"message": "abc 12"},
			`{"message":"abc 12","WORD":"abc","n":"12"}`,
			pipeline.FilterMatched},
		{"empty captures dropped", `grok {
			match = { message = "(?<opt>\\d*)%{WORD:w}" }
		}`, map[string]any{"message": "abc"},
			`{"message":"abc","w":"abc"}`,
			pipeline.FilterMatched},
		{"keep_empty_captures", `grok {
			match = { message = "(?<opt>\\d*)%{WORD:w}" }
			keep_empty_captures = true
		}`, map[string]any{"message": "abc"},
			`{"message":"abc","opt":"","w":"abc"}`,
			pipeline.FilterMatched},
		{"raw named groups with field references", `grok {
			match = { message = "(?<[a][b]>\\d+)-(?<plain>\\w+)" }
		}`, map[string]any{"message": "12-xy"},
			`{"message":"12-xy","a":{"b":"12"},"plain":"xy"}`,
			pipeline.FilterMatched},
		{"repeated name: first non-nil capture wins", `grok {
			match = { message = "^(?:%{INT:v}|%{WORD:v})$" }
		}`, map[string]any{"message": "abc"},
			`{"message":"abc","v":"abc"}`,
			pipeline.FilterMatched},
		{"Oniguruma \\h", `grok {
			match = { message = "^(?<hex>\\h+)$" }
		}`, map[string]any{"message": "deadBEEF09"},
			`{"message":"deadBEEF09","hex":"deadBEEF09"}`,
			pipeline.FilterMatched},
		{"Ruby (?m) is dot-all", `grok {
			match = { message = "(?m)^a.b$" }
		}`, map[string]any{"message": "a\nb"},
			`{"message":"a\nb"}`,
			pipeline.FilterMatched},
		{"non-ASCII input", `grok {
			match = { message = "(?<w>\\S+) (?<rest>.+)" }
		}`, map[string]any{"message": "héllo wörld ünïcode"},
			`{"message":"héllo wörld ünïcode","w":"héllo","rest":"wörld ünïcode"}`,
			pipeline.FilterMatched},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := event(t, tc.in)
			f := build(t, tc.config, pipeline.Deps{})
			if r := f.Filter(e); r != tc.result {
				t.Errorf("result %v, want %v", r, tc.result)
			}
			if got := encode(e); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	for _, scope := range []string{"pattern", "event"} {
		t.Run(scope, func(t *testing.T) {
			m := &pipeline.Metrics{}
			var logs bytes.Buffer
			f := build(t, `grok {
				match = { message = ["^(a|aa)+$", "%{WORD:w}"] }
				timeout_millis = 20
				timeout_scope = "`+scope+`"
				add_tag = ["ok"]
			}`, pipeline.Deps{Metrics: m, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			e := event(t, map[string]any{"message": strings.Repeat("a", 60) + "!"})
			if r := f.Filter(e); r != pipeline.FilterSkipped {
				t.Errorf("result %v", r)
			}
			if got := encode(e); got != `{"message":"`+strings.Repeat("a", 60)+`!","tags":["_groktimeout"]}` {
				t.Errorf("got %s", got)
			}
			if m.Counter("timeouts").Load() != 1 || m.Counter("failures").Load() != 0 || m.Counter("matches").Load() != 0 {
				t.Errorf("counters: %v", m.Snapshot())
			}
			if !strings.Contains(logs.String(), "Timeout") {
				t.Errorf("no timeout warning: %s", logs.String())
			}
		})
	}
	// timeout_millis = 0 disables the timeout: a slow but finite match ends.
	f := build(t, `grok {
		match = { message = "^(a|aa)+$" }
		timeout_millis = 0
		tag_on_timeout = "slow"
	}`, pipeline.Deps{})
	e := event(t, map[string]any{"message": strings.Repeat("a", 16) + "!"})
	f.Filter(e)
	if e.HasTag("slow") || !e.HasTag("_grokparsefailure") {
		t.Errorf("tags %v", e.Tags())
	}
}

func TestCounters(t *testing.T) {
	m := &pipeline.Metrics{}
	f := build(t, `grok { match = { message = "^%{INT:n}$" } }`, pipeline.Deps{Metrics: m})
	for _, s := range []string{"1", "x", "2", "y", "z"} {
		f.Filter(event(t, map[string]any{"message": s}))
	}
	if m.Counter("matches").Load() != 2 || m.Counter("failures").Load() != 3 {
		t.Errorf("counters: %v", m.Snapshot())
	}
}

func TestPatternsDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "extra.pat"), []byte("# mine\n\nMYNUM \\d+\nMYPAIR %{MYNUM:a}-%{MYNUM:b}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other.txt"), []byte("MYNUM [a-z]+\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := func(glob string) string {
		return `grok {
			match = { message = "%{MYPAIR}" }
			patterns_dir = ["` + dir + `"]
			patterns_files_glob = "` + glob + `"
		}`
	}
	e := event(t, map[string]any{"message": "12-34"})
	build(t, cfg("*.pat"), pipeline.Deps{}).Filter(e)
	if got := encode(e); got != `{"message":"12-34","a":"12","b":"34"}` {
		t.Errorf("got %s", got)
	}
	// With "*", other.txt (later in name order) redefines MYNUM.
	e = event(t, map[string]any{"message": "ab-cd"})
	build(t, cfg("*"), pipeline.Deps{}).Filter(e)
	if got := encode(e); got != `{"message":"ab-cd","a":"ab","b":"cd"}` {
		t.Errorf("got %s", got)
	}
	// pattern_definitions come last and win.
	e = event(t, map[string]any{"message": "x-y"})
	build(t, `grok {
		match = { message = "%{MYPAIR}" }
		patterns_dir = ["`+dir+`"]
		pattern_definitions = { MYNUM = "[xy]" }
	}`, pipeline.Deps{}).Filter(e)
	if got := encode(e); got != `{"message":"x-y","a":"x","b":"y"}` {
		t.Errorf("got %s", got)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ config, want string }{
		{`grok { match = { message = "%{NOPE:x}" } }`, `option match: invalid pattern: message: unknown grok pattern %{NOPE:x}`},
		{`grok {
			match = { message = "%{A}" }
			pattern_definitions = { A = "%{B}", B = "x%{A}" }
		}`, `grok pattern refers to itself: A -> B -> A`},
		{`grok { match = { message = "(unclosed" } }`, `option match: invalid pattern`},
		{`grok { match = { message = "%{INT:n:long}" } }`, `unknown type "long"`},
		{`grok { match = { "a[b" = "x" } }`, `option match: not a field reference`},
		{`grok {
			match = { message = "x" }
			timeout_scope = "never"
		}`, `option timeout_scope: unknown value "never"`},
		{`grok {
			match = { message = "x" }
			ecs_compatibility = "v7"
		}`, `option ecs_compatibility: unknown value "v7"`},
		{`grok {
			match = { message = "x" }
			timeout_millis = -1
		}`, `option timeout_millis: must not be negative`},
		{`grok {
			match = { message = "x" }
			patterns_dir = ["/does/not/exist"]
		}`, `option patterns_dir: cannot load patterns`},
		{`grok { match = { message = "(?<[a]b>x)" } }`, `capture "[a]b"`},
	} {
		_, diags := conf.Load([]conf.Source{{Name: "t.hcl", Data: []byte("filter {\n" + tc.config + "\n}")}}, registry(), conf.Options{})
		var b strings.Builder
		_ = diags.Write(&b, nil, false)
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", tc.config, b.String(), tc.want)
		}
	}
}

func TestConcurrent(t *testing.T) {
	f := build(t, `grok {
		match = { message = "%{COMBINEDAPACHELOG}" }
		ecs_compatibility = "disabled"
	}`, pipeline.Deps{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				e := event(t, map[string]any{"message": apacheLine})
				if f.Filter(e) != pipeline.FilterMatched {
					t.Error("no match")
					return
				}
				if v, _ := e.Get(pipeline.MustFieldRef("bytes")); v != "203023" {
					t.Errorf("bytes = %v", v)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func benchFilter(b *testing.B, config, line string, want pipeline.FilterResult) {
	f := build(b, config, pipeline.Deps{})
	if r := f.Filter(pipeline.NewMessageEvent(line)); r != want {
		b.Fatalf("result %v, want %v", r, want)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		f.Filter(pipeline.NewMessageEvent(line))
	}
}

func BenchmarkGrokCombinedApache(b *testing.B) {
	for _, ecs := range []string{"disabled", "v8"} {
		b.Run(ecs, func(b *testing.B) {
			benchFilter(b, `grok {
				match = { message = "%{COMBINEDAPACHELOG}" }
				ecs_compatibility = "`+ecs+`"
			}`, apacheLine, pipeline.FilterMatched)
		})
	}
}

func BenchmarkGrokSyslogLine(b *testing.B) {
	for _, ecs := range []string{"disabled", "v8"} {
		b.Run(ecs, func(b *testing.B) {
			benchFilter(b, `grok {
				match = { message = "%{SYSLOGLINE}" }
				ecs_compatibility = "`+ecs+`"
			}`, syslogLine, pipeline.FilterMatched)
		})
	}
}

func BenchmarkGrokNoMatch(b *testing.B) {
	for _, tc := range []struct{ name, pattern, line string }{
		{"apache-on-syslog", "%{COMBINEDAPACHELOG}", syslogLine},
		{"syslog-on-apache", "%{SYSLOGLINE}", apacheLine},
	} {
		for _, ecs := range []string{"disabled", "v8"} {
			b.Run(tc.name+"/"+ecs, func(b *testing.B) {
				benchFilter(b, `grok {
					match = { message = "`+tc.pattern+`" }
					ecs_compatibility = "`+ecs+`"
				}`, tc.line, pipeline.FilterSkipped)
			})
		}
	}
}

func BenchmarkGrokSHA1(b *testing.B) {
	benchFilter(b, `grok {
		match = { message = "%{SHA1:sha1} %{INT:content_length:int} %{NOTSPACE:content_type}" }
		pattern_definitions = { SHA1 = "[0-9a-f]{40}" }
	}`, sha1Line, pipeline.FilterMatched)
}
