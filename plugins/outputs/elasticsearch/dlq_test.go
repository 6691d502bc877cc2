package elasticsearch_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/pipeline/dlq"
	"github.com/pipeproject/pipe/plugins/outputs/elasticsearch"
)

// dlqRecords reads back every record of the queue folder.
func dlqRecords(t *testing.T, dir string) []dlq.Record {
	t.Helper()
	r := dlq.NewReader(dir, dlq.Position{})
	defer r.Close()
	var out []dlq.Record
	for {
		rec, ok, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, rec)
	}
}

func TestRefusedItemsGoToTheDeadLetterQueue(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, func(n int, r request) (int, string) {
		if n == 0 {
			return 200, itemsResponse(201, 400, 404, 422, 409, 503)
		}
		return 200, `{"errors":false}`
	})
	dir := t.TempDir()
	w, err := dlq.New(dir, dlq.Config{}, dlq.Options{})
	if err != nil {
		t.Fatal(err)
	}
	deps := logDeps(&plugintest.SyncBuffer{})
	deps.ID, deps.DLQ = "es_out", w
	o := build(t, fmt.Sprintf(`hosts = [%q] retry_initial_interval = 1 index = "i" dlq_custom_codes = [422]`, es.URL), deps)
	var evs []*pipeline.Event
	for i := range 6 {
		e := event("m" + strconv.Itoa(i))
		e.Metadata().Set("keep", "me")
		evs = append(evs, e)
	}
	if err := o.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	recs := dlqRecords(t, dir)
	if len(recs) != 3 {
		t.Fatalf("%d records in the DLQ, want 3", len(recs))
	}
	for i, want := range []struct {
		status int
		msg    string
	}{{400, "m1"}, {404, "m2"}, {422, "m3"}} {
		r := recs[i]
		if r.Status != want.status || r.PluginID != "es_out" || r.PluginType != "elasticsearch" ||
			r.ErrorType != fmt.Sprintf("t%d", want.status) || r.Reason != fmt.Sprintf("r%d", want.status) ||
			!strings.Contains(string(r.Event), `"message":"`+want.msg+`"`) || !strings.Contains(string(r.Event), `"@metadata":{"keep":"me"}`) {
			t.Errorf("record %d: %+v %s", i, r.Entry, r.Event)
		}
	}
	if counter(deps.Metrics, elasticsearch.CounterDeadLettered) != 3 || counter(deps.Metrics, elasticsearch.CounterDropped) != 0 ||
		counter(deps.Metrics, elasticsearch.CounterConflicts) != 1 {
		t.Errorf("counters %v", deps.Metrics.Snapshot())
	}
}

func TestUnknownActionAndWholeRequest400GoToTheDeadLetterQueue(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, func(n int, r request) (int, string) {
		if strings.Contains(r.Body, `"bad"`) {
			return 400, `{"error":{"type":"x_content_parse_exception","reason":"broken"},"status":400}`
		}
		return 200, `{"errors":false}`
	})
	dir := t.TempDir()
	w, _ := dlq.New(dir, dlq.Config{}, dlq.Options{})
	deps := logDeps(&plugintest.SyncBuffer{})
	deps.DLQ = w
	o := build(t, fmt.Sprintf(`hosts = [%q] index = "i" action = "%%{act}"`, es.URL), deps)
	evs := []*pipeline.Event{event("ok", "act", "index"), event("bad", "act", "index"), event("x", "act", "upsert")}
	if err := o.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	recs := dlqRecords(t, dir)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	if r := recs[0]; r.Status != 0 || !strings.Contains(r.Reason, `"upsert"`) || !strings.Contains(string(r.Event), `"message":"x"`) {
		t.Errorf("unknown action record %+v", r.Entry)
	}
	if r := recs[1]; r.Status != 400 || r.ErrorType != "x_content_parse_exception" || !strings.Contains(string(r.Event), `"message":"bad"`) {
		t.Errorf("400 record %+v", r.Entry)
	}
	if counter(deps.Metrics, elasticsearch.CounterDeadLettered) != 2 || counter(deps.Metrics, elasticsearch.CounterDropped) != 0 {
		t.Errorf("counters %v", deps.Metrics.Snapshot())
	}
}

func TestDeadLetterQueueFailureFailsTheWrite(t *testing.T) {
	t.Parallel()
	es := newFakeES(t, func(n int, r request) (int, string) { return 200, itemsResponse(400) })
	w, _ := dlq.New(t.TempDir(), dlq.Config{}, dlq.Options{})
	_ = w.Close() // every write fails now
	deps := logDeps(&plugintest.SyncBuffer{})
	deps.DLQ = w
	o := build(t, fmt.Sprintf(`hosts = [%q] index = "i"`, es.URL), deps)
	if err := o.Write(context.Background(), []*pipeline.Event{event("m")}); err == nil || !strings.Contains(err.Error(), "dead letter queue") {
		t.Fatalf("Write: %v", err)
	}
}
