package null_test

import (
	"context"
	"testing"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
)

func TestNullAcceptsEverything(t *testing.T) {
	o := plugintest.Build(t, all.Registry(), `output { null {} }`, pipeline.KindOutput, pipeline.Deps{}).(pipeline.Output)
	for _, evs := range [][]*pipeline.Event{nil, {pipeline.NewEvent()}, make([]*pipeline.Event, 0, 10)} {
		if err := o.Write(context.Background(), evs); err != nil {
			t.Fatal(err)
		}
	}
}
