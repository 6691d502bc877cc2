package pipeline_test

import (
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

func benchEvent() *pipeline.Event {
	e := pipeline.NewMessageEvent("GET /index.html 200")
	e.SetTimestamp(pipeline.NewTimestamp(time.Now()))
	e.Set(pipeline.MustFieldRef("host"), "web-1.example.com")
	e.Set(pipeline.MustFieldRef("[log][level]"), "info")
	e.Set(pipeline.MustFieldRef("[@metadata][index]"), "app")
	e.Set(pipeline.MustFieldRef("status"), int64(200))
	return e
}

func benchAppend(b *testing.B, format string) {
	tmpl, err := pipeline.ParseTemplate(format)
	if err != nil {
		b.Fatal(err)
	}
	e := benchEvent()
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf = tmpl.Append(buf[:0], e)
	}
	b.SetBytes(int64(len(buf)))
}

func benchRender(b *testing.B, format string) {
	tmpl, err := pipeline.ParseTemplate(format)
	if err != nil {
		b.Fatal(err)
	}
	e := benchEvent()
	b.ReportAllocs()
	var s string
	for b.Loop() {
		s = tmpl.Render(e)
	}
	b.SetBytes(int64(len(s)))
}

const benchMixed = "%{[@metadata][index]}-%{+YYYY.MM.dd} %{host} [%{[log][level]}] %{status} %{message} %{missing}"

func BenchmarkSprintfConstant(b *testing.B) { benchAppend(b, "logstash-constant-index") }

func BenchmarkSprintfField(b *testing.B) { benchAppend(b, "%{[log][level]}") }

func BenchmarkSprintfIndexDate(b *testing.B) { benchAppend(b, "logstash-%{+YYYY.MM.dd}") }

func BenchmarkSprintfMixed(b *testing.B) { benchAppend(b, benchMixed) }

func BenchmarkSprintfRenderConstant(b *testing.B) { benchRender(b, "logstash-constant-index") }

func BenchmarkSprintfRenderField(b *testing.B) { benchRender(b, "%{host}") }

func BenchmarkSprintfRenderIndexDate(b *testing.B) { benchRender(b, "logstash-%{+YYYY.MM.dd}") }

func BenchmarkSprintfRenderMixed(b *testing.B) { benchRender(b, benchMixed) }

// BenchmarkSprintfIndexDateUncached formats a new day on every event (a
// backfill of old data in random order): the cache misses and the date is
// formatted in place.
func BenchmarkSprintfIndexDateUncached(b *testing.B) {
	tmpl, err := pipeline.ParseTemplate("logstash-%{+YYYY.MM.dd}")
	if err != nil {
		b.Fatal(err)
	}
	var events []*pipeline.Event
	for i := range 64 {
		e := benchEvent()
		e.SetTimestamp(pipeline.NewTimestamp(time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i*37)%64)))
		events = append(events, e)
	}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf = tmpl.Append(buf[:0], events[i%len(events)])
		i++
	}
}

// BenchmarkSprintfJavaMillis is a java.time pattern with milliseconds, which
// the cache cannot hold.
func BenchmarkSprintfJavaMillis(b *testing.B) { benchAppend(b, "%{{yyyy-MM-dd'T'HH:mm:ss.SSSZ}}") }

func BenchmarkSprintfParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pipeline.ParseTemplate(benchMixed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSprintfIndexDateParallel renders from all Ps at once, as the
// pipeline workers do, to show the shared date cache does not contend.
func BenchmarkSprintfIndexDateParallel(b *testing.B) {
	tmpl, err := pipeline.ParseTemplate("logstash-%{+YYYY.MM.dd}")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		e := benchEvent()
		buf := make([]byte, 0, 64)
		for pb.Next() {
			buf = tmpl.Append(buf[:0], e)
		}
	})
}
