package elasticsearch

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

// benchEvents returns n events shaped like a python-logstash record.
func benchEvents(n int) []*pipeline.Event {
	evs := make([]*pipeline.Event, n)
	for i := range evs {
		e := pipeline.NewMessageEvent("GET /api/v1/orders/" + strconv.Itoa(i) + " 200 12ms user=alice region=eu-west-1")
		e.SetTimestamp(pipeline.NewTimestamp(time.Date(2024, 3, 1, 12, 0, 0, i*1000, time.UTC)))
		for _, kv := range [][2]string{{"host", "web-01"}, {"logger_name", "app.http"}, {"level", "INFO"},
			{"path", "/srv/app/http.py"}, {"type", "logstash"}, {"program", "gunicorn"}} {
			_ = e.Set(pipeline.MustFieldRef(kv[0]), kv[1])
		}
		_ = e.Set(pipeline.MustFieldRef("line_no"), int64(120+i%50))
		evs[i] = e
	}
	return evs
}

func benchOutput(b *testing.B, url string, level int) *Output {
	c := defaults()
	c.Hosts = []string{url}
	idx := "logstash-%{+YYYY.MM.dd}"
	c.Index = &idx
	c.CompressionLevel = level
	c.ProductCheck = "none"
	c.MaxInFlight = 4
	noTemplate := false // the sink answers only _bulk
	c.ManageTemplate = &noTemplate
	if err := c.Validate(); err != nil {
		b.Fatal(err)
	}
	o, err := build(c, pipeline.Deps{Metrics: &pipeline.Metrics{}})
	if err != nil {
		b.Fatal(err)
	}
	return o.(*Output)
}

// BenchmarkBulkEncode measures the NDJSON encoding of a 125-event batch
// (action line + source), without and with gzip level 1.
func BenchmarkBulkEncode(b *testing.B) {
	evs := benchEvents(125)
	for _, level := range []int{0, 1} {
		b.Run("gzip="+strconv.Itoa(level), func(b *testing.B) {
			o := benchOutput(b, "http://127.0.0.1:9", level)
			buf := make([]byte, 0, 64<<10)
			zb := o.getBuf()
			b.ReportAllocs()
			for b.Loop() {
				buf = buf[:0]
				for _, e := range evs {
					buf, _ = o.encode(buf, e)
				}
				if level > 0 {
					zb.Reset()
					zw := o.gzWriter(zb)
					_, _ = zw.Write(buf)
					_ = zw.Close()
					o.gzWriters.Put(zw)
				}
			}
			b.SetBytes(int64(len(buf)))
			b.ReportMetric(float64(b.N*len(evs))/b.Elapsed().Seconds(), "docs/s")
		})
	}
}

// BenchmarkWriteLocalSink measures Write end to end (encode, gzip, POST,
// parse the answer) against a local server that answers at once; run with
// -cpu 2 for the project's 2-core figure.
func BenchmarkWriteLocalSink(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Elastic-Product", "Elasticsearch")
		_, _ = io.WriteString(w, `{"errors":false}`)
	}))
	defer srv.Close()
	for _, batch := range []int{125, 1000} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) {
			o := benchOutput(b, srv.URL, 1)
			evs := benchEvents(batch)
			b.ReportAllocs()
			b.SetParallelism(2)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := o.Write(context.Background(), evs); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "docs/s")
		})
	}
}
