package pipeline

import (
	"context"
	"testing"
)

type countInput struct {
	n     int
	chunk int
}

func (in *countInput) Run(ctx context.Context, out Emitter) error {
	buf := make([]*Event, 0, in.chunk)
	for i := 0; i < in.n; i++ {
		buf = append(buf, NewMessageEvent("Hello world!"))
		if len(buf) == in.chunk {
			out.EmitAll(buf)
			buf = buf[:0]
		}
	}
	out.EmitAll(buf)
	return nil
}

type discard struct{}

func (discard) Write(context.Context, []*Event) error { return nil }

// BenchmarkPipelineThroughput measures the engine alone: events made by an
// input, through the queue and workers, into an output that discards them.
func BenchmarkPipelineThroughput(b *testing.B) {
	for _, tc := range []struct {
		name    string
		filters []Node
	}{
		{"no filters", nil},
		{"one filter", []Node{fakeFilterSpec("tag", funcFilter(func(e *Event) FilterResult { return FilterMatched }), Common{AddTag: []string{"x"}})}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			spec := &Spec{
				Settings: Settings{BatchSize: 125},
				Inputs:   []*PluginSpec{fakeInputSpec(&countInput{n: b.N, chunk: 128}, Common{})},
				Filters:  tc.filters,
				Outputs:  []Node{fakeOutputSpec("discard", discard{})},
			}
			p, err := New(spec, Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			if err := p.Run(context.Background(), context.Background()); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
