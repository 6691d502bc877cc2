package date

import (
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

// benchFilter runs Filter on one prepared event: the source field is set
// once, and each call parses it and sets the target.
func benchFilter(b *testing.B, config string, value any) {
	f := buildAt(b, time.Now(), config, pipeline.Deps{})
	e := event(b, map[string]any{"d": value})
	if f.Filter(e) != pipeline.FilterMatched {
		b.Fatalf("%v does not parse (tags %v)", value, e.Tags())
	}
	b.ReportAllocs()
	for b.Loop() {
		f.Filter(e)
	}
}

func BenchmarkDateApache(b *testing.B) {
	benchFilter(b, cfg(`"dd/MMM/yyyy:HH:mm:ss Z"`), "17/May/2015:10:05:03 +0000")
}

func BenchmarkDateISO8601(b *testing.B) {
	benchFilter(b, cfg(`"ISO8601"`), "2024-05-01T12:00:00.123Z")
}

func BenchmarkDateISO8601Zone(b *testing.B) {
	benchFilter(b, cfg(`"ISO8601"`, `timezone = "Europe/Paris"`), "2024-05-01T12:00:00.123")
}

func BenchmarkDateUnix(b *testing.B) {
	benchFilter(b, cfg(`"UNIX"`), "1326149001.132")
}

func BenchmarkDateUnixNumber(b *testing.B) {
	benchFilter(b, cfg(`"UNIX"`), int64(1326149001))
}

func BenchmarkDateSyslog(b *testing.B) {
	benchFilter(b, cfg(`"MMM  d HH:mm:ss", "MMM dd HH:mm:ss"`, `timezone = "America/New_York"`), "Mar 17 04:02:16")
}

func BenchmarkDateSprintfZone(b *testing.B) {
	f := buildAt(b, time.Now(), cfg(`"yyyy-MM-dd HH:mm:ss"`, `timezone = "%{tz}"`), pipeline.Deps{})
	e := event(b, map[string]any{"d": "2024-05-01 12:00:00", "tz": "Europe/Paris"})
	if f.Filter(e) != pipeline.FilterMatched {
		b.Fatal("no match")
	}
	b.ReportAllocs()
	for b.Loop() {
		f.Filter(e)
	}
}
