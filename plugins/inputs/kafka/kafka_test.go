package kafka_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/inputs/kafka"
)

// key identifies a record.
func key(e *pipeline.Event) string {
	return fmt.Sprintf("%v/%v/%v", meta(e, "topic"), meta(e, "partition"), meta(e, "offset"))
}

func TestThreePartitionsExactlyOnceDecorated(t *testing.T) {
	for _, threads := range []int{1, 3} {
		t.Run(fmt.Sprintf("consumer_threads=%d", threads), func(t *testing.T) { threePartitions(t, threads) })
	}
}

func threePartitions(t *testing.T, threads int) {
	addr := cluster(t, 3, "logs")
	const per = 10
	for p := range 3 {
		var msgs []kafkago.Message
		for i := range per {
			msgs = append(msgs, kafkago.Message{Key: fmt.Appendf(nil, "k%d", p), Value: fmt.Appendf(nil, "p%d-%d", p, i),
				Headers: []kafkago.Header{{Key: "trace", Value: []byte("abc")}, {Key: "bin", Value: []byte{0xff}}}})
		}
		produce(t, addr, "logs", p, msgs...)
	}
	out := &collector{}
	r := start(t, cfg(addr, `topics = ["logs"]`, `auto_offset_reset = "earliest"`, `decorate_events = "extended"`, `group_id = "g1"`,
		fmt.Sprintf("consumer_threads = %d", threads)), out)
	waitFor(t, "30 events", 20*time.Second, func() bool { return out.Len() >= 3*per })
	waitFor(t, "commits", 10*time.Second, func() bool {
		c := committed(t, addr, "g1", "logs", 0, 1, 2)
		return c[0] == per && c[1] == per && c[2] == per
	})
	r.stop(t)
	evs := out.Events()
	if len(evs) != 3*per {
		t.Fatalf("%d events, want %d", len(evs), 3*per)
	}
	seen := map[string]bool{}
	for _, e := range evs {
		k := key(e)
		if seen[k] {
			t.Errorf("record %s delivered twice", k)
		}
		seen[k] = true
		msg, _ := e.Message()
		p := meta(e, "partition").(int64)
		if want := fmt.Sprintf("p%d-%d", p, meta(e, "offset").(int64)); msg != want {
			t.Errorf("message %q at %s, want %q", msg, k, want)
		}
		if meta(e, "topic") != "logs" || meta(e, "consumer_group") != "g1" || meta(e, "key") != fmt.Sprintf("k%d", p) {
			t.Errorf("metadata of %s: %v %v %v", k, meta(e, "topic"), meta(e, "consumer_group"), meta(e, "key"))
		}
		if ts, ok := meta(e, "timestamp").(int64); !ok || time.Since(time.UnixMilli(ts)) > time.Minute {
			t.Errorf("timestamp of %s: %v", k, meta(e, "timestamp"))
		}
		if v, _ := e.Get(pipeline.MustFieldRef("[@metadata][kafka][headers][trace]")); v != "abc" {
			t.Errorf("header trace of %s: %v", k, v)
		}
		if v, ok := e.Get(pipeline.MustFieldRef("[@metadata][kafka][headers][bin]")); ok {
			t.Errorf("non-UTF-8 header kept: %v", v)
		}
	}
}

func TestBasicDecorationHasNoHeaders(t *testing.T) {
	addr := cluster(t, 1, "logs")
	produce(t, addr, "logs", 0, kafkago.Message{Value: []byte("x"), Headers: []kafkago.Header{{Key: "h", Value: []byte("v")}}})
	for _, dec := range []string{"basic", "true"} {
		out := &collector{}
		r := start(t, cfg(addr, `topics = ["logs"]`, `auto_offset_reset = "earliest"`, `decorate_events = "`+dec+`"`, `group_id = "basic-`+dec+`"`), out)
		waitFor(t, "an event", 20*time.Second, func() bool { return out.Len() >= 1 })
		r.stop(t)
		e := out.Events()[0]
		if meta(e, "topic") != "logs" || meta(e, "offset") != int64(0) || meta(e, "key") != nil {
			t.Errorf("%s: metadata %v", dec, e.Metadata())
		}
		if _, ok := e.Get(pipeline.MustFieldRef("[@metadata][kafka][headers]")); ok {
			t.Errorf("%s: headers set", dec)
		}
	}
	out := &collector{}
	r := start(t, cfg(addr, `topics = ["logs"]`, `auto_offset_reset = "earliest"`, `group_id = "nodeco"`), out)
	waitFor(t, "an event", 20*time.Second, func() bool { return out.Len() >= 1 })
	r.stop(t)
	if e := out.Events()[0]; e.HasMetadata() {
		t.Errorf("decorate_events none: metadata %v", e.Metadata())
	}
}

// TestCommitAfterAckAndGap: nothing is committed before acknowledgements;
// with offset 4 unacknowledged and 5 acknowledged the commit stops at 4,
// and a restarted input reads 4 and 5 again.
func TestCommitAfterAckAndGap(t *testing.T) {
	addr := cluster(t, 1, "logs")
	produce(t, addr, "logs", 0, values("0", "1", "2", "3", "4", "5")...)
	out := &collector{}
	out.release = func(e *pipeline.Event) bool { return false }
	config := cfg(addr, `topics = ["logs"]`, `auto_offset_reset = "earliest"`, `decorate_events = "basic"`, `group_id = "g"`)
	r := start(t, config, out)
	waitFor(t, "6 events", 20*time.Second, func() bool { return out.Len() >= 6 })
	time.Sleep(500 * time.Millisecond) // several commit intervals
	if c := committed(t, addr, "g", "logs", 0); c[0] != -1 {
		t.Fatalf("committed %d before any acknowledgement", c[0])
	}
	out.mu.Lock()
	var still []*pipeline.Event
	for _, e := range out.held {
		if meta(e, "offset") == int64(4) {
			still = append(still, e)
			continue
		}
		e.Ack().Release()
	}
	out.held = still
	out.mu.Unlock()
	waitFor(t, "commit of 4", 10*time.Second, func() bool { return committed(t, addr, "g", "logs", 0)[0] == 4 })
	time.Sleep(300 * time.Millisecond)
	if c := committed(t, addr, "g", "logs", 0)[0]; c != 4 {
		t.Fatalf("committed %d past the unacknowledged offset 4", c)
	}
	r.stop(t)
	if c := committed(t, addr, "g", "logs", 0)[0]; c != 4 {
		t.Fatalf("committed %d at shutdown, want 4", c)
	}

	again := &collector{}
	r = start(t, config, again)
	waitFor(t, "redelivery", 20*time.Second, func() bool { return again.Len() >= 2 })
	waitFor(t, "commit of 6", 10*time.Second, func() bool { return committed(t, addr, "g", "logs", 0)[0] == 6 })
	r.stop(t)
	var got []string
	for _, e := range again.Events() {
		m, _ := e.Message()
		got = append(got, m)
	}
	if strings.Join(got, ",") != "4,5" {
		t.Errorf("after restart: %v, want [4 5]", got)
	}
}

func TestLatestByDefault(t *testing.T) {
	addr := cluster(t, 1, "logs")
	produce(t, addr, "logs", 0, values("old")...)
	out := &collector{}
	r := start(t, cfg(addr, `topics = ["logs"]`, `group_id = "latest"`), out)
	// Wait for the group to take the partition (it commits nothing yet).
	time.Sleep(1500 * time.Millisecond)
	produce(t, addr, "logs", 0, values("new")...)
	waitFor(t, "an event", 20*time.Second, func() bool { return out.Len() >= 1 })
	r.stop(t)
	if m, _ := out.Events()[0].Message(); m != "new" || out.Len() != 1 {
		t.Errorf("got %d events, first %q; want only new", out.Len(), m)
	}
}

func TestBadJSONIsTaggedAndPassedOn(t *testing.T) {
	addr := cluster(t, 1, "logs")
	produce(t, addr, "logs", 0, values(`{"a": 1}`, "not json", `{"a": 2}`)...)
	out := &collector{}
	r := start(t, cfg(addr, `topics = ["logs"]`, `auto_offset_reset = "earliest"`, `codec = "json"`, `group_id = "json"`), out)
	waitFor(t, "3 events", 20*time.Second, func() bool { return out.Len() >= 3 })
	waitFor(t, "commit of 3", 10*time.Second, func() bool { return committed(t, addr, "json", "logs", 0)[0] == 3 })
	r.stop(t)
	evs := out.Events()
	if v, _ := evs[0].Get(pipeline.MustFieldRef("a")); v != int64(1) {
		t.Errorf("first event: a = %v", v)
	}
	if m, _ := evs[1].Message(); m != "not json" || !evs[1].HasTag("_jsonparsefailure") {
		t.Errorf("bad record: %q tags %v", m, evs[1].Tags())
	}
	if v, _ := evs[2].Get(pipeline.MustFieldRef("a")); v != int64(2) {
		t.Errorf("third event: a = %v", v)
	}
}

func TestTopicsPattern(t *testing.T) {
	addr := cluster(t, 1, "app-a", "app-b", "other")
	for _, tp := range []string{"app-a", "app-b", "other"} {
		produce(t, addr, tp, 0, values(tp)...)
	}
	out := &collector{}
	r := start(t, cfg(addr, `topics_pattern = "app-.*"`, `auto_offset_reset = "earliest"`, `decorate_events = "basic"`, `group_id = "pat"`), out)
	waitFor(t, "2 events", 20*time.Second, func() bool { return out.Len() >= 2 })
	time.Sleep(300 * time.Millisecond)
	r.stop(t)
	got := map[any]bool{}
	for _, e := range out.Events() {
		got[meta(e, "topic")] = true
	}
	if len(got) != 2 || !got["app-a"] || !got["app-b"] {
		t.Errorf("topics read: %v", got)
	}
}

// TestRebalance runs two inputs in one group: partitions are shared, and
// every record is read exactly once across the rebalance since all were
// acknowledged and committed before the partitions moved.
func TestRebalance(t *testing.T) {
	addr := cluster(t, 4, "logs")
	const per = 5
	send := func(round int) {
		for p := range 4 {
			var vs []string
			for i := range per {
				vs = append(vs, fmt.Sprintf("r%d-p%d-%d", round, p, i))
			}
			produce(t, addr, "logs", p, values(vs...)...)
		}
	}
	send(0)
	config := cfg(addr, `topics = ["logs"]`, `auto_offset_reset = "earliest"`, `decorate_events = "basic"`, `group_id = "shared"`)
	a, b := &collector{}, &collector{}
	ra := start(t, config, a)
	waitFor(t, "first round", 20*time.Second, func() bool { return a.Len() >= 4*per })
	waitFor(t, "first commits", 10*time.Second, func() bool {
		c := committed(t, addr, "shared", "logs", 0, 1, 2, 3)
		return c[0] == per && c[1] == per && c[2] == per && c[3] == per
	})
	rb := start(t, config, b)
	// Wait until the group settled with partitions on both: records sent
	// now reach both inputs.
	round := 1
	waitFor(t, "both inputs consuming", 40*time.Second, func() bool {
		send(round)
		round++
		time.Sleep(500 * time.Millisecond)
		return b.Len() > 0 && a.Len() > 4*per*round/2
	})
	total := 4 * per * round
	waitFor(t, "every record", 30*time.Second, func() bool { return a.Len()+b.Len() >= total })
	time.Sleep(500 * time.Millisecond)
	rb.stop(t)
	ra.stop(t)
	seen := map[string]int{}
	for _, e := range append(a.Events(), b.Events()...) {
		m, _ := e.Message()
		seen[m]++
	}
	if len(seen) != total {
		t.Errorf("%d distinct records, want %d", len(seen), total)
	}
	for m, n := range seen {
		if n != 1 {
			t.Errorf("%s read %d times", m, n)
		}
	}
}

// TestOneLineExampleLoads checks the one-line form the issue quotes; the
// README's first example is loaded by plugins/all's meta test.
func TestOneLineExampleLoads(t *testing.T) {
	c := `input { kafka { bootstrap_servers = "127.0.0.1:9092" topics = ["logs"] codec = "json" } }`
	if _, diags := conf.Load([]conf.Source{{Name: "example", Data: []byte(c)}}, registry(), conf.Options{DefaultIO: true}); diags.HasErrors() {
		var b strings.Builder
		_ = diags.Write(&b, nil, false)
		t.Errorf("example does not load:\n%s", b.String())
	}
}

func TestAutoOffsetResetNone(t *testing.T) {
	addr := cluster(t, 1, "logs")
	produce(t, addr, "logs", 0, values("x")...)
	in := plugintest.Build(t, registry(), cfg(addr, `topics = ["logs"]`, `auto_offset_reset = "none"`, `group_id = "fresh"`), pipeline.KindInput, pipeline.Deps{}).(*kafka.Input)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := in.Run(ctx, &collector{})
	if err == nil || !strings.Contains(err.Error(), "partition 0 has no committed offset for group fresh and auto_offset_reset is none") {
		t.Errorf("Run: %v", err)
	}
}
