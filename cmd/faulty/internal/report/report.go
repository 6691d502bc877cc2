// Package report is `faulty report`, the "exception archaeology" view:
// Elasticsearch aggregations over the records faulty sent through pipe
// (exceptions by kind, levels, loggers, top MIME types, events per
// minute), drawn as text bars.
package report

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrNoIndex is returned when no index matches the pattern.
var ErrNoIndex = errors.New("no such index")

// Options configure a report.
type Options struct {
	// ES is Elasticsearch's base URL.
	ES string
	// Index is the index name or pattern (default "logstash-*").
	Index string
	// User and Password are basic-auth credentials (none when User is
	// empty).
	User string
	// Password goes with User.
	Password string
	// Minutes is the window of the events-per-minute histogram (default 30).
	Minutes int
	// Top is the number of terms per aggregation (default 10).
	Top int
	// Width is the terminal width (default 80).
	Width int
	// Client is the HTTP client (default: 30 s timeout).
	Client *http.Client
	// Now is the clock for the histogram window (default time.Now).
	Now func() time.Time
}

// A terms section: title and source field.
type section struct{ name, title, field string }

func sections() []section {
	return []section{
		{"kinds", "Exceptions by kind", "exception_kind"},
		{"levels", "Levels", "level"},
		{"loggers", "Loggers", "logger_name"},
		{"mime", "Top MIME types", "content_type"},
	}
}

// Run queries Elasticsearch and writes the report to w.
func Run(ctx context.Context, o Options, w io.Writer) error {
	if o.Index == "" {
		o.Index = "logstash-*"
	}
	if o.Minutes <= 0 {
		o.Minutes = 30
	}
	if o.Top <= 0 {
		o.Top = 10
	}
	if o.Width <= 0 {
		o.Width = 80
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c := &client{o: o}
	mapping, err := c.mapping(ctx)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	for _, s := range sections() {
		fields[s.name] = AggField(mapping, s.field)
	}
	now := o.Now()
	body := SearchBody(fields, o.Top, now.Add(-time.Duration(o.Minutes)*time.Minute), now)
	var res searchResponse
	if err := c.do(ctx, http.MethodPost, "/_search", body, &res); err != nil {
		return err
	}
	return render(w, o, fields, &res)
}

type client struct{ o Options }

func (c *client) url(suffix string) string {
	return strings.TrimRight(c.o.ES, "/") + "/" + url.PathEscape(c.o.Index) + suffix
}

func (c *client) do(ctx context.Context, method, suffix string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.url(suffix), rd)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.o.User != "" {
		req.SetBasicAuth(c.o.User, c.o.Password)
	}
	resp, err := c.o.Client.Do(req)
	if err != nil {
		return fmt.Errorf("report: %s %s: %w", method, req.URL.Redacted(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("report: reading %s: %w", req.URL.Redacted(), err)
	}
	if resp.StatusCode == http.StatusNotFound && bytes.Contains(data, []byte("index_not_found_exception")) {
		return fmt.Errorf("report: index %q not found in %s: %w", c.o.Index, c.o.ES, ErrNoIndex)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("report: %s %s: %s: %s", method, req.URL.Redacted(), resp.Status, snippet(data))
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("report: decoding %s: %w", req.URL.Redacted(), err)
	}
	return nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// Mapping is GET /<index>/_mapping: index name to its mappings.
type Mapping map[string]struct {
	Mappings struct {
		Properties map[string]Property `json:"properties"`
	} `json:"mappings"`
}

// Property is one field's mapping.
type Property struct {
	// Type is the field type ("keyword", "text", ...; empty for objects).
	Type string `json:"type"`
	// Fields are the multi-fields (e.g. "keyword").
	Fields map[string]Property `json:"fields"`
	// Properties are an object's fields.
	Properties map[string]Property `json:"properties"`
}

func (c *client) mapping(ctx context.Context) (Mapping, error) {
	var m Mapping
	if err := c.do(ctx, http.MethodGet, "/_mapping", nil, &m); err != nil {
		return nil, err
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("report: no index matches %q in %s: %w", c.o.Index, c.o.ES, ErrNoIndex)
	}
	return m, nil
}

// AggField returns the field to aggregate on: field itself when every
// index that maps it maps it as keyword, else field + ".keyword".
func AggField(m Mapping, field string) string {
	found := false
	for _, idx := range m {
		p, ok := lookup(idx.Mappings.Properties, field)
		if !ok {
			continue
		}
		if p.Type != "keyword" {
			return field + ".keyword"
		}
		found = true
	}
	if found {
		return field
	}
	return field + ".keyword"
}

// lookup finds a field by its dotted path, either as nested objects or as
// a property whose name holds the dots.
func lookup(props map[string]Property, path string) (Property, bool) {
	if p, ok := props[path]; ok {
		return p, true
	}
	head, rest, ok := strings.Cut(path, ".")
	if !ok {
		return Property{}, false
	}
	p, ok := props[head]
	if !ok {
		return Property{}, false
	}
	return lookup(p.Properties, rest)
}

// SearchBody is the _search request: no hits, one terms aggregation per
// section, and a per-minute histogram of the window [from, to).
func SearchBody(fields map[string]string, top int, from, to time.Time) []byte {
	aggs := map[string]any{}
	for _, s := range sections() {
		aggs[s.name] = map[string]any{"terms": map[string]any{"field": fields[s.name], "size": top}}
	}
	fromMS, toMS := from.UnixMilli(), to.UnixMilli()
	aggs["window"] = map[string]any{
		"filter": map[string]any{"range": map[string]any{"@timestamp": map[string]any{
			"gte": fromMS, "lte": toMS, "format": "epoch_millis"}}},
		"aggs": map[string]any{"per_minute": map[string]any{"date_histogram": map[string]any{
			"field": "@timestamp", "fixed_interval": "1m", "min_doc_count": 0,
			"extended_bounds": map[string]any{"min": fromMS, "max": toMS}}}},
	}
	b, _ := json.Marshal(map[string]any{"size": 0, "track_total_hits": true, "aggs": aggs})
	return b
}

// Bucket is one aggregation bucket.
type Bucket struct {
	// Key is the term (a string) or the bucket start (epoch ms).
	Key any `json:"key"`
	// DocCount is the number of documents.
	DocCount int64 `json:"doc_count"`
}

type terms struct {
	Buckets  []Bucket `json:"buckets"`
	SumOther int64    `json:"sum_other_doc_count"`
}

type searchResponse struct {
	Hits struct {
		Total struct {
			Value int64 `json:"value"`
		} `json:"total"`
	} `json:"hits"`
	Aggregations struct {
		Kinds   terms `json:"kinds"`
		Levels  terms `json:"levels"`
		Loggers terms `json:"loggers"`
		MIME    terms `json:"mime"`
		Window  struct {
			DocCount  int64 `json:"doc_count"`
			PerMinute struct {
				Buckets []Bucket `json:"buckets"`
			} `json:"per_minute"`
		} `json:"window"`
	} `json:"aggregations"`
}

// Row is one bar.
type Row struct {
	// Label names the bar.
	Label string
	// Count is its value.
	Count int64
}

// Bars renders rows as "label  bar  count  percent" lines within width
// columns; bars are scaled to the largest count, percentages are of total.
func Bars(w io.Writer, rows []Row, total int64, width int) error {
	labelW := 0
	countW := 1
	var maxC int64
	for _, r := range rows {
		labelW = max(labelW, utf8.RuneCountInString(r.Label))
		countW = max(countW, len(fmt.Sprint(r.Count)))
		maxC = max(maxC, r.Count)
	}
	labelW = min(labelW, max(width/3, 8))
	// "  label  bar  count  100.0%"
	barW := width - 2 - labelW - 2 - 2 - countW - 2 - 6
	barW = max(barW, 5)
	for _, r := range rows {
		label := r.Label
		if utf8.RuneCountInString(label) > labelW {
			label = string([]rune(label)[:labelW-1]) + "…"
		}
		n := 0
		if maxC > 0 {
			n = int(float64(r.Count) / float64(maxC) * float64(barW))
			if r.Count > 0 && n == 0 {
				n = 1
			}
		}
		pct := 0.0
		if total > 0 {
			pct = 100 * float64(r.Count) / float64(total)
		}
		pad := labelW - utf8.RuneCountInString(label)
		if _, err := fmt.Fprintf(w, "  %s%s  %s%s  %*d  %5.1f%%\n", label, strings.Repeat(" ", pad),
			strings.Repeat("█", n), strings.Repeat(" ", barW-n), countW, r.Count, pct); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	return nil
}

func render(w io.Writer, o Options, fields map[string]string, res *searchResponse) error {
	ag := &res.Aggregations
	byName := map[string]*terms{"kinds": &ag.Kinds, "levels": &ag.Levels, "loggers": &ag.Loggers, "mime": &ag.MIME}
	var err error
	p := func(format string, a ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, a...)
		}
	}
	p("%s/%s: %d documents\n", strings.TrimRight(o.ES, "/"), o.Index, res.Hits.Total.Value)
	for _, s := range sections() {
		t := byName[s.name]
		total := t.SumOther
		rows := make([]Row, 0, len(t.Buckets)+1)
		for _, b := range t.Buckets {
			total += b.DocCount
			rows = append(rows, Row{Label: fmt.Sprint(b.Key), Count: b.DocCount})
		}
		if t.SumOther > 0 {
			rows = append(rows, Row{Label: "(other)", Count: t.SumOther})
		}
		p("\n%s (%s), %d events\n", s.title, fields[s.name], total)
		if len(rows) == 0 {
			p("  (none)\n")
			continue
		}
		if err == nil {
			err = Bars(w, rows, total, o.Width)
		}
	}
	p("\nEvents per minute, last %d minutes (UTC), %d events\n", o.Minutes, ag.Window.DocCount)
	rows := make([]Row, 0, len(ag.Window.PerMinute.Buckets))
	for _, b := range ag.Window.PerMinute.Buckets {
		label := fmt.Sprint(b.Key)
		if ms, ok := b.Key.(float64); ok {
			label = time.UnixMilli(int64(ms)).UTC().Format("15:04")
		}
		rows = append(rows, Row{Label: label, Count: b.DocCount})
	}
	if len(rows) == 0 {
		p("  (none)\n")
	} else if err == nil {
		err = Bars(w, rows, ag.Window.DocCount, o.Width)
	}
	return err
}
