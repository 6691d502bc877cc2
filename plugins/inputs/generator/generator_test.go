package generator_test

import (
	"testing"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
)

func TestGenerator(t *testing.T) {
	for _, tc := range []struct {
		name      string
		config    string
		want      int
		seqField  string
		hostField string
		messages  []string
	}{
		{"default message, ECS", `input { generator { count = 3 } }`, 3, "[event][sequence]", "[host][name]", []string{"Hello world!"}},
		{"lines, ECS disabled", `input { generator {
			lines = ["a", "b"]
			count = 2
			ecs_compatibility = "disabled"
		} }`, 4, "sequence", "host", []string{"a", "b"}},
		{"threads", `input { generator {
			count = 200
			threads = 3
		} }`, 600, "[event][sequence]", "[host][name]", []string{"Hello world!"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := plugintest.Build(t, all.Registry(), tc.config, pipeline.KindInput, pipeline.Deps{}).(pipeline.Input)
			evs := plugintest.RunInput(t, in)
			if len(evs) != tc.want {
				t.Fatalf("got %d events, want %d", len(evs), tc.want)
			}
			seqs := map[int64]int{}
			for i, e := range evs {
				seq, ok := e.Get(pipeline.MustFieldRef(tc.seqField))
				if !ok {
					t.Fatalf("event %d has no %s", i, tc.seqField)
				}
				seqs[seq.(int64)]++
				if _, ok := e.GetString(pipeline.MustFieldRef(tc.hostField)); !ok {
					t.Fatalf("event %d has no %s", i, tc.hostField)
				}
				msg, _ := e.Message()
				if want := tc.messages[i%len(tc.messages)]; tc.name != "threads" && msg != want {
					t.Fatalf("event %d message %q, want %q", i, msg, want)
				}
			}
			if _, ok := seqs[0]; !ok {
				t.Fatalf("sequence does not start at 0: %v", seqs)
			}
		})
	}
}

func TestGeneratorRejectsBadOptions(t *testing.T) {
	for _, tc := range []struct{ name, config string }{
		{"negative count", `input { generator { count = -1 } }`},
		{"zero threads", `input { generator { threads = 0 } }`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := all.Registry()
			plug, _ := p.Lookup(pipeline.KindInput, "generator")
			cfg := plug.NewConfig()
			if v, ok := cfg.(pipeline.Validator); !ok || v.Validate() != nil {
				t.Fatal("defaults must validate")
			}
		})
	}
}
