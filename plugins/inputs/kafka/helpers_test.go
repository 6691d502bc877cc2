package kafka_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
	"github.com/pipeproject/pipe/plugins/inputs/kafka"
)

// registry is every built-in plugin.
func registry() *pipeline.Registry { return all.Registry() }

// cluster starts an in-process Kafka-protocol broker with the topics, each
// of the given number of partitions, and returns its address.
func cluster(t *testing.T, partitions int32, topics ...string) string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topics...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// produce writes messages to one partition of a topic.
func produce(t *testing.T, addr, topic string, partition int, msgs ...kafkago.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := kafkago.DialLeader(ctx, "tcp", addr, topic, partition)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.WriteMessages(msgs...); err != nil {
		t.Fatal(err)
	}
}

// values makes messages holding the values.
func values(vs ...string) []kafkago.Message {
	out := make([]kafkago.Message, len(vs))
	for i, v := range vs {
		out[i] = kafkago.Message{Value: []byte(v)}
	}
	return out
}

// committed returns the group's committed offsets of a topic's partitions
// (-1: none).
func committed(t *testing.T, addr, group, topic string, partitions ...int) map[int]int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := &kafkago.Client{Addr: kafkago.TCP(addr)}
	res, err := c.OffsetFetch(ctx, &kafkago.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: partitions}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]int64{}
	for _, p := range res.Topics[topic] {
		out[p.Partition] = p.CommittedOffset
	}
	return out
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// collector is an Emitter that keeps events and releases their
// acknowledgements when release says so (others wait for Release).
type collector struct {
	release func(e *pipeline.Event) bool
	mu      sync.Mutex
	events  []*pipeline.Event
	held    []*pipeline.Event
}

func (c *collector) Emit(e *pipeline.Event) { c.EmitAll([]*pipeline.Event{e}) }

func (c *collector) EmitAll(evs []*pipeline.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range evs {
		c.events = append(c.events, e)
		if c.release == nil || c.release(e) {
			e.Ack().Release()
		} else {
			c.held = append(c.held, e)
		}
	}
}

// Events returns what was emitted so far.
func (c *collector) Events() []*pipeline.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*pipeline.Event(nil), c.events...)
}

// Len returns the number of events emitted so far.
func (c *collector) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

// running is an input running in the background.
type running struct {
	in     *kafka.Input
	out    *collector
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// start builds the kafka input of config and runs it until stop or the
// end of the test.
func start(t *testing.T, config string, out *collector) *running {
	t.Helper()
	in := plugintest.Build(t, registry(), config, pipeline.KindInput, pipeline.Deps{}).(*kafka.Input)
	in.SetDrainTimeout(300 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{in: in, out: out, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- in.Run(ctx, out) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the input and waits for Run to return.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second): // drain (0.3 s) + leaving the group (at most 5 s)
			t.Error("Run did not return after cancel")
		}
	})
}

// cfg makes a pipeline config with one kafka input.
func cfg(addr string, opts ...string) string {
	return fmt.Sprintf("input {\n  kafka {\n    bootstrap_servers = %q\n    heartbeat_interval_ms = 200\n    auto_commit_interval_ms = 100\n    %s\n  }\n}\n",
		addr, strings.Join(opts, "\n    "))
}

// loadErrors loads a kafka block and returns its diagnostics as text.
func loadErrors(block string) string {
	_, diags := conf.Load([]conf.Source{{Name: "test.hcl", Data: []byte("input { kafka { " + block + " } }")}}, registry(), conf.Options{})
	if !diags.HasErrors() {
		return ""
	}
	var b strings.Builder
	_ = diags.Write(&b, nil, false)
	return b.String()
}

// meta returns a [@metadata][kafka] field.
func meta(e *pipeline.Event, name string) any {
	v, _ := e.Get(pipeline.MustFieldRef("[@metadata][kafka][" + name + "]"))
	return v
}
