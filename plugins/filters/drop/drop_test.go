package drop_test

import (
	"testing"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
)

func TestDrop(t *testing.T) {
	for _, tc := range []struct {
		name     string
		config   string
		min, max int // dropped out of 1000
	}{
		{"default drops all", `filter { drop {} }`, 1000, 1000},
		{"percentage 0 keeps all", `filter { drop { percentage = 0 } }`, 0, 0},
		{"percentage 50", `filter { drop { percentage = 50 } }`, 350, 650},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &pipeline.Metrics{}
			f := plugintest.Build(t, all.Registry(), tc.config, pipeline.KindFilter, pipeline.Deps{Metrics: m}).(pipeline.Filter)
			dropped := 0
			for i := 0; i < 1000; i++ {
				switch f.Filter(pipeline.NewMessageEvent("x")) {
				case pipeline.FilterDropped:
					dropped++
				case pipeline.FilterMatched:
				default:
					t.Fatal("unexpected result")
				}
			}
			if dropped < tc.min || dropped > tc.max {
				t.Fatalf("dropped %d of 1000, want %d..%d", dropped, tc.min, tc.max)
			}
			if got := m.Counter("dropped").Load(); got != int64(dropped) {
				t.Fatalf("dropped counter %d, want %d", got, dropped)
			}
		})
	}
}
