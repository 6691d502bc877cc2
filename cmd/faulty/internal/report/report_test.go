package report

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const mappingJSON = `{
  "logstash-2026.05.06": {"mappings": {"properties": {
    "@timestamp": {"type": "date"},
    "exception_kind": {"type": "keyword"},
    "level": {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}},
    "logger_name": {"type": "text", "fields": {"keyword": {"type": "keyword"}}},
    "content_type": {"type": "keyword"},
    "labels": {"properties": {"team": {"type": "keyword"}}}
  }}},
  "logstash-2026.05.05": {"mappings": {"properties": {
    "content_type": {"type": "text", "fields": {"keyword": {"type": "keyword"}}}
  }}}
}`

func TestAggField(t *testing.T) {
	var m Mapping
	if err := json.Unmarshal([]byte(mappingJSON), &m); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ field, want string }{
		{"exception_kind", "exception_kind"},
		{"level", "level.keyword"},
		{"content_type", "content_type.keyword"}, // text in one of the indices
		{"labels.team", "labels.team"},
		{"absent", "absent.keyword"},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			if got := AggField(m, tt.field); got != tt.want {
				t.Fatalf("AggField(%s) = %s, want %s", tt.field, got, tt.want)
			}
		})
	}
}

func TestBars(t *testing.T) {
	var sb strings.Builder
	rows := []Row{{"KeyError", 60}, {"IndexError", 30}, {"AssertionError", 10}}
	if err := Bars(&sb, rows, 100, 60); err != nil {
		t.Fatal(err)
	}
	// 60 columns: 2 + 14 label + 2 + bar + 2 + 2 count + 2 + 6 percent => bar of 30.
	want := "  KeyError        " + strings.Repeat("█", 30) + "  60   60.0%\n" +
		"  IndexError      " + strings.Repeat("█", 15) + strings.Repeat(" ", 15) + "  30   30.0%\n" +
		"  AssertionError  " + strings.Repeat("█", 5) + strings.Repeat(" ", 25) + "  10   10.0%\n"
	if sb.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", sb.String(), want)
	}
	for _, line := range strings.Split(strings.TrimSuffix(sb.String(), "\n"), "\n") {
		if n := len([]rune(line)); n != 60 {
			t.Fatalf("line of %d columns: %q", n, line)
		}
	}
	t.Run("small counts still show", func(t *testing.T) {
		var sb strings.Builder
		_ = Bars(&sb, []Row{{"a", 10000}, {"b", 1}, {"c", 0}}, 10001, 40)
		lines := strings.Split(sb.String(), "\n")
		if strings.Count(lines[1], "█") != 1 || strings.Count(lines[2], "█") != 0 {
			t.Fatalf("got\n%s", sb.String())
		}
	})
	t.Run("long labels are cut", func(t *testing.T) {
		var sb strings.Builder
		_ = Bars(&sb, []Row{{strings.Repeat("x", 100), 1}}, 1, 60)
		if !strings.Contains(sb.String(), "…") || len([]rune(strings.TrimSuffix(sb.String(), "\n"))) != 60 {
			t.Fatalf("got %q", sb.String())
		}
	})
}

// fakeES answers _mapping and _search like Elasticsearch, recording the
// search body.
func fakeES(t *testing.T, body *map[string]any, auth *string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*auth = r.Header.Get("Authorization")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/logstash-*/_mapping":
			_, _ = io.WriteString(w, mappingJSON)
		case r.Method == http.MethodPost && r.URL.Path == "/logstash-*/_search":
			if err := json.NewDecoder(r.Body).Decode(body); err != nil {
				t.Errorf("search body: %v", err)
			}
			_, _ = io.WriteString(w, `{"hits": {"total": {"value": 300}}, "aggregations": {
			  "kinds": {"sum_other_doc_count": 0, "buckets": [{"key": "KeyError", "doc_count": 40}, {"key": "IndexError", "doc_count": 20}]},
			  "levels": {"sum_other_doc_count": 0, "buckets": [{"key": "INFO", "doc_count": 150}, {"key": "ERROR", "doc_count": 100}, {"key": "WARNING", "doc_count": 50}]},
			  "loggers": {"sum_other_doc_count": 0, "buckets": [{"key": "example.tasks", "doc_count": 240}, {"key": "django.request", "doc_count": 60}]},
			  "mime": {"sum_other_doc_count": 40, "buckets": [{"key": "text/html", "doc_count": 120}, {"key": "application/json", "doc_count": 80}]},
			  "window": {"doc_count": 300, "per_minute": {"buckets": [
			    {"key_as_string": "2026-05-06T07:07:00.000Z", "key": 1778051220000, "doc_count": 0},
			    {"key_as_string": "2026-05-06T07:08:00.000Z", "key": 1778051280000, "doc_count": 300}]}}}}`)
		case strings.HasPrefix(r.URL.Path, "/missing"):
			w.WriteHeader(404)
			_, _ = io.WriteString(w, `{"error": {"root_cause": [{"type": "index_not_found_exception", "reason": "no such index [missing]"}], "type": "index_not_found_exception"}, "status": 404}`)
		case strings.HasPrefix(r.URL.Path, "/nomatch-*"):
			_, _ = io.WriteString(w, `{}`)
		default:
			w.WriteHeader(401)
			_, _ = io.WriteString(w, `{"error": "unauthorized"}`)
		}
	}))
}

func TestRun(t *testing.T) {
	var body map[string]any
	var auth string
	srv := fakeES(t, &body, &auth)
	defer srv.Close()
	now := time.Date(2026, 5, 6, 7, 8, 30, 0, time.UTC)
	var out strings.Builder
	err := Run(context.Background(), Options{ES: srv.URL, User: "elastic", Password: "pw", Width: 80, Minutes: 2,
		Now: func() time.Time { return now }}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "Basic ZWxhc3RpYzpwdw==" {
		t.Fatalf("authorization %q", auth)
	}
	aggs := body["aggs"].(map[string]any)
	field := func(name string) string {
		return aggs[name].(map[string]any)["terms"].(map[string]any)["field"].(string)
	}
	if field("kinds") != "exception_kind" || field("levels") != "level.keyword" || field("loggers") != "logger_name.keyword" ||
		field("mime") != "content_type.keyword" || body["size"] != 0.0 {
		t.Fatalf("search body %v", body)
	}
	hist := aggs["window"].(map[string]any)["aggs"].(map[string]any)["per_minute"].(map[string]any)["date_histogram"].(map[string]any)
	if hist["fixed_interval"] != "1m" || hist["extended_bounds"].(map[string]any)["min"] != float64(now.Add(-2*time.Minute).UnixMilli()) {
		t.Fatalf("histogram %v", hist)
	}
	text := out.String()
	for _, want := range []string{
		"Exceptions by kind (exception_kind), 60 events\n",
		"  KeyError    " + strings.Repeat("█", 54) + "  40   66.7%\n",
		"Top MIME types (content_type.keyword), 240 events\n",
		"(other)",
		"Events per minute, last 2 minutes (UTC), 300 events\n",
		"  07:07  ",
		"  07:08  ",
	} {
		if !strings.Contains(text, want) {
			t.Fatalf("report lacks %q:\n%s", want, text)
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if len([]rune(line)) > 80 {
			t.Fatalf("line wider than 80 columns: %q", line)
		}
	}
}

func TestMissingIndex(t *testing.T) {
	var body map[string]any
	var auth string
	srv := fakeES(t, &body, &auth)
	defer srv.Close()
	for _, index := range []string{"missing", "nomatch-*"} {
		t.Run(index, func(t *testing.T) {
			err := Run(context.Background(), Options{ES: srv.URL, Index: index}, io.Discard)
			if !errors.Is(err, ErrNoIndex) || !strings.Contains(err.Error(), index) {
				t.Fatalf("err %v", err)
			}
		})
	}
	t.Run("other errors keep the status", func(t *testing.T) {
		err := Run(context.Background(), Options{ES: srv.URL, Index: "secret"}, io.Discard)
		if err == nil || errors.Is(err, ErrNoIndex) || !strings.Contains(err.Error(), "401") {
			t.Fatalf("err %v", err)
		}
	})
}
