package deadletterqueue_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/pipeline/dlq"
	"github.com/pipeproject/pipe/plugins/all"
	"github.com/pipeproject/pipe/plugins/inputs/deadletterqueue"
)

// registry returns the built-in plugins plus this one (unless all lists it).
func registry() *pipeline.Registry {
	plugins := all.Plugins()
	for _, p := range plugins {
		if p.Kind == pipeline.KindInput && p.Name == deadletterqueue.Name {
			return pipeline.NewRegistry(plugins...)
		}
	}
	return pipeline.NewRegistry(append(plugins, deadletterqueue.Plugin())...)
}

func build(t *testing.T, block string, m *pipeline.Metrics) pipeline.Input {
	t.Helper()
	return plugintest.Build(t, registry(), "input { dead_letter_queue { "+block+" } }", pipeline.KindInput,
		pipeline.Deps{Metrics: m}).(pipeline.Input)
}

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// fill writes n entries to <path>/<pipeline>/, entry i at t0 + i minutes.
func fill(t *testing.T, path, pipelineID string, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		w, err := dlq.New(dlq.Dir(path, pipelineID), dlq.Config{}, dlq.Options{})
		if err != nil {
			t.Fatal(err)
		}
		e := dlq.Entry{Time: t0.Add(time.Duration(i) * time.Minute), PluginType: "elasticsearch", PluginID: "es",
			Status: 400, ErrorType: "document_parsing_exception", Reason: fmt.Sprintf("bad %d", i),
			Event: fmt.Appendf(nil, `{"@timestamp":"2026-05-01T11:00:00.000Z","n":%d,"@metadata":{"index":"x"}}`, i)}
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs the input until it emitted want events, acknowledges them
// (ack: release each as the engine does) and stops it.
func run(t *testing.T, in pipeline.Input, want int, ack bool) []*pipeline.Event {
	t.Helper()
	var c plugintest.Collector
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, &c) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(c.Events()) < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // nothing more comes
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	evs := c.Events()
	if len(evs) != want {
		t.Fatalf("%d events, want %d", len(evs), want)
	}
	if ack {
		for _, e := range evs {
			e.Ack().Release()
		}
	}
	return evs
}

func TestEventsAndMetadata(t *testing.T) {
	path := t.TempDir()
	fill(t, path, "main", 0, 3)
	evs := run(t, build(t, fmt.Sprintf(`path = %q commit_offsets = false`, path), nil), 3, false)
	e := evs[1]
	get := func(ref string) any {
		v, _ := e.Get(pipeline.MustFieldRef(ref))
		return v
	}
	if get("n") != int64(1) || get("[@metadata][index]") != "x" {
		t.Errorf("event %s / %v", pipeline.AppendEventJSON(nil, e), e.Metadata())
	}
	if ts, _ := e.Timestamp(); ts.String() != "2026-05-01T11:00:00.000Z" {
		t.Errorf("@timestamp %s", ts)
	}
	for ref, want := range map[string]any{
		"[@metadata][dead_letter_queue][reason]":      "bad 1",
		"[@metadata][dead_letter_queue][plugin_id]":   "es",
		"[@metadata][dead_letter_queue][plugin_type]": "elasticsearch",
		"[@metadata][dead_letter_queue][entry_time]":  pipeline.NewTimestamp(t0.Add(time.Minute)),
		"[@metadata][dead_letter_queue][status]":      int64(400),
		"[@metadata][dead_letter_queue][type]":        "document_parsing_exception",
	} {
		if got := get(ref); got != want {
			t.Errorf("%s = %v (%T), want %v", ref, got, got, want)
		}
	}
}

func TestCommitOffsetsAndCleanConsumed(t *testing.T) {
	path := t.TempDir()
	fill(t, path, "orders", 0, 3) // three segments (one writer each)
	block := fmt.Sprintf(`path = %q pipeline_id = "orders" clean_consumed = true`, path)
	run(t, build(t, block, nil), 3, true)
	offsets := filepath.Join(path, "orders.offsets")
	pos, err := dlq.LoadPosition(offsets)
	if err != nil || pos.Segment != 3 || pos.Offset == 0 {
		t.Fatalf("offsets %+v %v", pos, err)
	}
	if nums, _ := dlq.Segments(dlq.Dir(path, "orders")); len(nums) != 1 || nums[0] != 3 {
		t.Errorf("segments after clean_consumed: %v", nums)
	}
	// A restart does not replay; new entries come.
	fill(t, path, "orders", 3, 2)
	evs := run(t, build(t, block, nil), 2, true)
	if v, _ := evs[0].Get(pipeline.MustFieldRef("n")); v != int64(3) {
		t.Errorf("first event after restart: n = %v", v)
	}
	// Events not acknowledged are not committed: they come again.
	fill(t, path, "orders", 5, 1)
	run(t, build(t, block, nil), 1, false)
	run(t, build(t, block, nil), 1, true)
}

func TestFollowsNewWritesAndStartTimestamp(t *testing.T) {
	path := t.TempDir()
	fill(t, path, "main", 0, 2)
	m := &pipeline.Metrics{}
	in := build(t, fmt.Sprintf(`path = %q commit_offsets = false start_timestamp = "2026-05-01T12:01:00Z"`, path), m)
	var c plugintest.Collector
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, &c) }()
	time.Sleep(100 * time.Millisecond)
	fill(t, path, "main", 2, 1) // written while the input runs
	deadline := time.Now().Add(5 * time.Second)
	for len(c.Events()) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(c.Events()); n != 2 {
		t.Fatalf("%d events", n)
	}
	if got := m.Counter(deadletterqueue.CounterBeforeStart).Load(); got != 1 {
		t.Errorf("before_start_timestamp %d", got)
	}
}

func TestTornRecordCounted(t *testing.T) {
	path := t.TempDir()
	fill(t, path, "main", 0, 2)
	seg := filepath.Join(dlq.Dir(path, "main"), "1.log")
	b, _ := os.ReadFile(seg)
	if err := os.WriteFile(seg, b[:len(b)-10], 0o644); err != nil {
		t.Fatal(err)
	}
	m := &pipeline.Metrics{}
	run(t, build(t, fmt.Sprintf(`path = %q commit_offsets = false`, path), m), 1, false)
	if got := m.Counter(deadletterqueue.CounterSkipped).Load(); got != 1 {
		t.Errorf("skipped_records %d", got)
	}
}

func TestValidate(t *testing.T) {
	for block, want := range map[string]string{
		`path = "/x" commit_offsets = false clean_consumed = true`: "needs commit_offsets",
		`path = "/x" start_timestamp = "yesterday"`:                "start_timestamp",
		`path = ""`:                    "path: must not be empty",
		`commit_offsets = true`:        `Missing required option "path"`,
		`path = "/x" pipeline_id = ""`: "pipeline_id",
	} {
		_, diags := conf.Load([]conf.Source{{Name: "t.hcl", Data: []byte("input { dead_letter_queue { " + block + " } }")}}, registry(), conf.Options{})
		var b strings.Builder
		_ = diags.Write(&b, nil, false)
		if !diags.HasErrors() || !strings.Contains(b.String(), want) {
			t.Errorf("%s: want %q in:\n%s", block, want, b.String())
		}
	}
}
