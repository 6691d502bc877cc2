package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pipeproject/pipe/pipeline/dlq"
)

// dlqOutput writes every event it gets to the dead-letter queue of its Deps.
type dlqOutput struct{ w *dlq.Writer }

func (o *dlqOutput) Write(_ context.Context, evs []*Event) error {
	for _, e := range evs {
		if err := o.w.Write(dlq.Entry{PluginID: "x", Event: AppendEventJSON(nil, e)}); err != nil {
			return err
		}
	}
	return nil
}

func TestDeadLetterQueueHandedToPluginsAndClosed(t *testing.T) {
	base := filepath.Join(t.TempDir(), "dlq")
	var got []*dlq.Writer
	out := &PluginSpec{Plugin: NewOutputPlugin("fake_out", "", "", func() *fakeCfg { return &fakeCfg{} },
		func(_ *fakeCfg, d Deps) (Output, error) {
			got = append(got, d.DLQ)
			return &dlqOutput{w: d.DLQ}, nil
		}), Common: Common{ID: "o", EnableMetric: true}, Pos: "test:3:1"}
	in := &sliceInput{events: numbered(3, nil), chunk: 3}
	spec := &Spec{Settings: Settings{ID: "orders", Workers: 1, DeadLetterQueue: dlq.Config{Enable: true, Path: base}},
		Inputs: []*PluginSpec{fakeInputSpec(in, Common{})}, Outputs: []Node{out}}
	runPipeline(t, spec)
	if len(got) != 1 || got[0] == nil || got[0].Dir() != filepath.Join(base, "orders") {
		t.Fatalf("Deps.DLQ %v", got)
	}
	if got[0].Stats().WrittenEvents != 3 {
		t.Errorf("stats %+v", got[0].Stats())
	}
	if err := got[0].Write(dlq.Entry{Event: []byte(`{}`)}); err == nil {
		t.Error("the writer is still open after Run")
	}
	if _, err := os.Stat(filepath.Join(base, "orders", "1.log")); err != nil {
		t.Error(err)
	}

	// Disabled: nil, and nothing on disk.
	got = nil
	spec.Settings.DeadLetterQueue.Enable = false
	if _, err := New(spec, Options{}); err != nil || len(got) != 1 || got[0] != nil {
		t.Errorf("disabled: %v %v", err, got)
	}
}
