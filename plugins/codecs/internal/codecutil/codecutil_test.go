package codecutil

import (
	"testing"
	"time"

	"github.com/pipeproject/pipe/pipeline"
)

func TestECSEnabled(t *testing.T) {
	tests := []struct {
		opt, setting string
		want         bool
	}{
		{"", "", true}, // Logstash 8's default is v8
		{"", "disabled", false},
		{"", "v1", true},
		{"disabled", "v8", false},
		{"v8", "disabled", true},
	}
	for _, tt := range tests {
		if got := ECSEnabled(tt.opt, pipeline.Settings{ECSCompatibility: tt.setting}); got != tt.want {
			t.Errorf("ECSEnabled(%q, %q) = %v", tt.opt, tt.setting, got)
		}
	}
	for _, v := range []string{"", "disabled", "v1", "v8"} {
		if err := ValidateECS(v); err != nil {
			t.Errorf("ValidateECS(%q): %v", v, err)
		}
	}
	if err := ValidateECS("V8"); err == nil {
		t.Error("ValidateECS accepted V8")
	}
}

func TestAppendToS(t *testing.T) {
	ts := pipeline.NewTimestamp(time.Date(2026, 11, 24, 23, 8, 4, 232e6, time.UTC))
	tests := []struct {
		name string
		set  func(e *pipeline.Event)
		want string
	}{
		{"host and message", func(e *pipeline.Event) {
			e.Fields().Set("host", "vm")
			e.Fields().Set("message", "hi")
		}, "2026-11-24T23:08:04.232Z vm hi"},
		{"missing both", func(e *pipeline.Event) {}, "2026-11-24T23:08:04.232Z %{host} %{message}"},
		{"numbers and lists", func(e *pipeline.Event) {
			e.Fields().Set("host", []any{"a", int64(1), 2.5, nil, true})
			e.Fields().Set("message", 1e7)
		}, "2026-11-24T23:08:04.232Z [a, 1, 2.5, null, true] 1.0E7"},
		{"no timestamp", func(e *pipeline.Event) {
			e.Remove(pipeline.MustFieldRef("@timestamp"))
			e.Fields().Set("message", "m")
		}, "%{host} m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := pipeline.NewEvent()
			e.SetTimestamp(ts)
			tt.set(e)
			if got := string(AppendToS(nil, e)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIsBlank(t *testing.T) {
	for in, want := range map[string]bool{"": true, " \t\r\n\x00\x0b": true, " x ": false, "\u00a0": false} {
		if got := IsBlank([]byte(in)); got != want {
			t.Errorf("IsBlank(%q) = %v", in, got)
		}
	}
}

func TestParseTarget(t *testing.T) {
	if r, err := ParseTarget(""); err != nil || !r.IsZero() {
		t.Errorf("empty target: %v %v", r, err)
	}
	if _, err := ParseTarget("[a][b]"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"[a", "a]", "[@timestamp]", "@timestamp"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) accepted", bad)
		}
	}
}
