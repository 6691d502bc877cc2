package pylog

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

var created = time.Date(2026, 3, 4, 5, 6, 7, 891_999_000, time.FixedZone("CET", 3600))

func notFound() *Record {
	return &Record{
		Created: created, Message: "Not Found: /nothing/here", Logger: "django.request", Level: "WARNING",
		Pathname: "/venv/lib/python3.11/site-packages/django/utils/log.py",
		Extras:   []Field{{"status_code", 404}, {"request", "<WSGIRequest: GET '/nothing/here?q=1'>"}},
	}
}

func TestFormat(t *testing.T) {
	serverError := &Record{
		Created: created, Message: "Internal Server Error: /", Logger: "django.request", Level: "ERROR",
		Pathname: "/dj/log.py",
		Extras:   []Field{{"status_code", 500}, {"request", "<WSGIRequest: POST '/'>"}},
		Exc: &ExcInfo{StackTrace: "Traceback (most recent call last):\n  File \"/app/views.py\", line 3, in index\n    return d[\"user\"]\nKeyError: 'user'\n",
			Lineno: 241, Process: 4242, ThreadName: "MainThread"},
	}
	worker := &Record{Created: created, Message: "da39a3ee5e6b4b0d3255bfef95601890afd80709 538 text/plain",
		Logger: "example.tasks", Level: "CRITICAL", Pathname: "/srv/tasks.py"}
	tests := []struct {
		name string
		f    Formatter
		r    *Record
		want string
	}{
		{"v1 404 warning", Formatter{Version: 1, Host: "web-1"}, notFound(),
			`{"@timestamp": "2026-03-04T04:06:07.891Z", "@version": "1", "message": "Not Found: /nothing/here", "host": "web-1", "path": "/venv/lib/python3.11/site-packages/django/utils/log.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "status_code": 404, "request": "<WSGIRequest: GET '/nothing/here?q=1'>"}`},
		{"v1 404 warning, python 3.12", Formatter{Version: 1, Host: "web-1", TaskName: true}, notFound(),
			`{"@timestamp": "2026-03-04T04:06:07.891Z", "@version": "1", "message": "Not Found: /nothing/here", "host": "web-1", "path": "/venv/lib/python3.11/site-packages/django/utils/log.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/nothing/here?q=1'>"}`},
		{"v1 500 with stack trace", Formatter{Version: 1, Host: "web-1"}, serverError,
			`{"@timestamp": "2026-03-04T04:06:07.891Z", "@version": "1", "message": "Internal Server Error: /", "host": "web-1", "path": "/dj/log.py", "tags": [], "type": "logstash", "level": "ERROR", "logger_name": "django.request", "status_code": 500, "request": "<WSGIRequest: POST '/'>", "stack_trace": "Traceback (most recent call last):\n  File \"/app/views.py\", line 3, in index\n    return d[\"user\"]\nKeyError: 'user'\n", "lineno": 241, "process": 4242, "thread_name": "MainThread"}`},
		{"v1 worker record, tags and type", Formatter{Version: 1, Host: "w", Tags: []string{"a", "b"}, Type: "django"}, worker,
			`{"@timestamp": "2026-03-04T04:06:07.891Z", "@version": "1", "message": "da39a3ee5e6b4b0d3255bfef95601890afd80709 538 text/plain", "host": "w", "path": "/srv/tasks.py", "tags": ["a", "b"], "type": "django", "level": "CRITICAL", "logger_name": "example.tasks"}`},
		{"v0 404 warning", Formatter{Version: 0, Host: "web-1", TaskName: true}, notFound(),
			`{"@timestamp": "2026-03-04T04:06:07.891Z", "@message": "Not Found: /nothing/here", "@source": "logstash://web-1//venv/lib/python3.11/site-packages/django/utils/log.py", "@source_host": "web-1", "@source_path": "/venv/lib/python3.11/site-packages/django/utils/log.py", "@tags": [], "@type": "logstash", "@fields": {"levelname": "WARNING", "logger": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/nothing/here?q=1'>"}}`},
		{"v0 500 with stack trace", Formatter{Version: 0, Host: "h"}, serverError,
			`{"@timestamp": "2026-03-04T04:06:07.891Z", "@message": "Internal Server Error: /", "@source": "logstash://h//dj/log.py", "@source_host": "h", "@source_path": "/dj/log.py", "@tags": [], "@type": "logstash", "@fields": {"levelname": "ERROR", "logger": "django.request", "status_code": 500, "request": "<WSGIRequest: POST '/'>", "stack_trace": "Traceback (most recent call last):\n  File \"/app/views.py\", line 3, in index\n    return d[\"user\"]\nKeyError: 'user'\n", "lineno": 241, "process": 4242, "thread_name": "MainThread"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.f.Append(nil, tt.r)
			if string(got) != tt.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tt.want)
			}
			if !json.Valid(got) {
				t.Fatalf("not valid JSON: %s", got)
			}
		})
	}
}

// keysInOrder returns the top-level keys of a JSON object in wire order.
func keysInOrder(t *testing.T, data []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %v %v", tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestFieldOrder(t *testing.T) {
	tests := []struct {
		name string
		f    Formatter
		want []string
	}{
		{"v1", Formatter{Version: 1, Host: "h"}, []string{"@timestamp", "@version", "message", "host", "path", "tags", "type", "level", "logger_name", "status_code", "request", "stack_trace", "lineno", "process", "thread_name"}},
		{"v1 python 3.12", Formatter{Version: 1, Host: "h", TaskName: true}, []string{"@timestamp", "@version", "message", "host", "path", "tags", "type", "level", "logger_name", "taskName", "status_code", "request", "stack_trace", "lineno", "process", "thread_name"}},
		{"v0", Formatter{Version: 0, Host: "h"}, []string{"@timestamp", "@message", "@source", "@source_host", "@source_path", "@tags", "@type", "@fields"}},
	}
	r := notFound()
	r.Exc = &ExcInfo{StackTrace: "Traceback\nAssertionError\n", Lineno: 1, Process: 2, ThreadName: "T"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := keysInOrder(t, tt.f.Append(nil, r))
			if len(got) != len(tt.want) {
				t.Fatalf("keys %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("keys %q, want %q", got, tt.want)
				}
			}
		})
	}
}

func TestExtraReplacesInPlace(t *testing.T) {
	r := &Record{Created: created, Message: "m", Logger: "l", Level: "INFO", Pathname: "p",
		Extras: []Field{{"level", "custom"}, {"x", true}}}
	got := string((&Formatter{Version: 1, Host: "h"}).Append(nil, r))
	want := `{"@timestamp": "2026-03-04T04:06:07.891Z", "@version": "1", "message": "m", "host": "h", "path": "p", "tags": [], "type": "logstash", "level": "custom", "logger_name": "l", "x": true}`
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestAppendString(t *testing.T) {
	// Expected values are what Python 3's json.dumps returns.
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`quote " and \ backslash`, `"quote \" and \\ backslash"`},
		{"nl\ncr\rtab\tbs\bff\f", `"nl\ncr\rtab\tbs\bff\f"`},
		{"\x00\x1f\x7f", `"\u0000\u001f\u007f"`},
		{"</script>&'", `"</script>&'"`},
		{"café", `"caf\u00e9"`},
		{"€", `"\u20ac"`},
		{"😀", `"\ud83d\ude00"`},
		{"bad\xffbyte", `"bad\ufffdbyte"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := string(AppendString(nil, tt.in))
			if got != tt.want {
				t.Fatalf("AppendString(%q) = %s, want %s", tt.in, got, tt.want)
			}
			var back string
			if err := json.Unmarshal([]byte(got), &back); err != nil {
				t.Fatalf("invalid JSON %s: %v", got, err)
			}
		})
	}
}

func TestRepr(t *testing.T) {
	// Expected values are what Python 3's repr() returns.
	tests := []struct{ in, want string }{
		{"/missing", `'/missing'`},
		{"it's", `"it's"`},
		{`it's "x"`, `'it\'s "x"'`},
		{`back\slash`, `'back\\slash'`},
		{"tab\tnl\n", `'tab\tnl\n'`},
		{"\x01\x7f", `'\x01\x7f'`},
		{"café", `'café'`},
		{"\u00a0", `'\xa0'`},
		{"\u200b", `'\u200b'`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Repr(tt.in); got != tt.want {
				t.Fatalf("Repr(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}

func BenchmarkAppendV1(b *testing.B) {
	f := &Formatter{Version: 1, Host: "web-1"}
	r := notFound()
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = f.Append(buf[:0], r)
	}
}
