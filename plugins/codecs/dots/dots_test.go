package dots

import (
	"testing"

	"github.com/pipeproject/pipe/pipeline"
)

func TestEncode(t *testing.T) {
	c, err := Plugin().Build(defaults(), pipeline.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	codec := c.(pipeline.Codec)
	var out []byte
	for i := 0; i < 3; i++ {
		out = codec.Encode(out, pipeline.NewMessageEvent("x"))
	}
	if string(out) != "..." {
		t.Errorf("got %q", out)
	}
}

func TestDecodeIsPlain(t *testing.T) {
	tests := []struct {
		name, ecs string
		original  bool
	}{
		{"ecs off", "disabled", false},
		{"ecs on", "v8", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := build(defaults(), pipeline.Deps{Settings: pipeline.Settings{ECSCompatibility: tt.ecs}})
			var events []*pipeline.Event
			dec := c.NewDecoder()
			dec.Decode([]byte("a\nb"), func(e *pipeline.Event) { events = append(events, e) })
			dec.Flush(func(e *pipeline.Event) { events = append(events, e) })
			if len(events) != 1 {
				t.Fatalf("%d events", len(events))
			}
			if m, _ := events[0].Message(); m != "a\nb" {
				t.Errorf("message %q", m)
			}
			if got := events[0].Includes(pipeline.MustFieldRef("[event][original]")); got != tt.original {
				t.Errorf("[event][original] present: %v", got)
			}
		})
	}
}
