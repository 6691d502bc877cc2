package elasticsearch_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/pipeline"
)

// writeDS builds the output with block and ECS mode ecs, writes evs and
// returns the one bulk body.
func writeDS(t *testing.T, block, ecs string, evs ...*pipeline.Event) string {
	t.Helper()
	es := newTemplateES(t, "8.19.21")
	o := build(t, fmt.Sprintf(`hosts = [%q] %s`, es.URL, block), ecsDeps(ecs))
	if err := o.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	reqs := es.requests()
	if len(reqs) == 0 || reqs[len(reqs)-1] != "POST /_bulk" {
		t.Fatalf("requests %v", reqs)
	}
	es.mu.Lock()
	defer es.mu.Unlock()
	return es.bulkBody
}

// TestDataStreamAuto checks Logstash 8's auto rule: a data stream with ECS
// on and no conflicting option; no template is installed then.
func TestDataStreamAuto(t *testing.T) {
	t.Parallel()
	cases := []struct {
		block, ecs, wantAction string
		template               bool
	}{
		{``, "v8", `{"create":{"_index":"logs-generic-default"}}`, false},
		{``, "v1", `{"create":{"_index":"logs-generic-default"}}`, false},
		{`data_stream = "auto"`, "v8", `{"create":{"_index":"logs-generic-default"}}`, false},
		{`ecs_compatibility = "v8"`, "disabled", `{"create":{"_index":"logs-generic-default"}}`, false},
		{`action = "create" document_id = "%{u}" routing = "r" pipeline = "p" max_in_flight = 1`, "v8",
			`{"create":{"_index":"logs-generic-default","_id":"42","routing":"r","pipeline":"p"}}`, false},
		{``, "disabled", `{"index":{"_index":"logstash-2024.03.02"}}`, true},
		{`ecs_compatibility = "disabled"`, "v8", `{"index":{"_index":"logstash-2024.03.02"}}`, true},
		{`index = "i"`, "v8", `{"index":{"_index":"i"}}`, true},
		{`action = "index"`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, true},
		{`manage_template = true`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, true},
		{`manage_template = false`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, false},
		{`template_name = "t"`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, true},
		{`template_api = "auto"`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, true},
		{`template_overwrite = false`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, true},
		{`ilm_enabled = false`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, true},
		{`ilm_enabled = "auto"`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, true},
		{`retry_on_conflict = 2`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, true},
		{`doc_as_upsert = false`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, true},
		{`data_stream = "false"`, "v8", `{"index":{"_index":"ecs-logstash-2024.03.02"}}`, true},
	}
	for _, c := range cases {
		t.Run(c.block+"/"+c.ecs, func(t *testing.T) {
			t.Parallel()
			es := newTemplateES(t, "8.19.21")
			o := build(t, fmt.Sprintf(`hosts = [%q] %s`, es.URL, c.block), ecsDeps(c.ecs))
			if err := o.Write(context.Background(), []*pipeline.Event{event("hi", "u", "42")}); err != nil {
				t.Fatal(err)
			}
			reqs := es.requests()
			if got := len(reqs) == 3; got != c.template {
				t.Errorf("template installed %v, want %v: %v", got, c.template, reqs)
			}
			es.mu.Lock()
			body := es.bulkBody
			es.mu.Unlock()
			if got, _, _ := strings.Cut(body, "\n"); got != c.wantAction {
				t.Errorf("action line %s, want %s", got, c.wantAction)
			}
			if strings.HasPrefix(c.wantAction, `{"create"`) != strings.Contains(body, `"data_stream":`) {
				t.Errorf("data_stream fields: %s", body)
			}
		})
	}
}

// TestDataStreamNames checks the name from the options and, with auto
// routing, from the event's [data_stream] fields, and the synced fields.
func TestDataStreamNames(t *testing.T) {
	t.Parallel()
	const opts = `data_stream = "true" data_stream_type = "metrics" data_stream_dataset = "app" data_stream_namespace = "prod" `
	ts := `"@timestamp":"2024-03-02T01:30:00.000Z","@version":"1","message":"hi"`
	cases := []struct {
		name, block string
		kv          []string
		want        string
	}{
		{"options", opts, nil,
			`{"create":{"_index":"metrics-app-prod"}}` + "\n{" + ts + `,"data_stream":{"type":"metrics","dataset":"app","namespace":"prod"}}`},
		{"defaults", `data_stream = "true"`, nil,
			`{"create":{"_index":"logs-generic-default"}}` + "\n{" + ts + `,"data_stream":{"type":"logs","dataset":"generic","namespace":"default"}}`},
		{"auto routing, partial fields", opts, []string{"[data_stream][dataset]", "nginx", "[data_stream][extra]", "x"},
			`{"create":{"_index":"metrics-nginx-prod"}}` + "\n{" + ts + `,"data_stream":{"dataset":"nginx","extra":"x","type":"metrics","namespace":"prod"}}`},
		{"auto routing, all fields", opts, []string{"[data_stream][type]", "logs", "[data_stream][dataset]", "d", "[data_stream][namespace]", "n"},
			`{"create":{"_index":"logs-d-n"}}` + "\n{" + ts + `,"data_stream":{"type":"logs","dataset":"d","namespace":"n"}}`},
		{"no auto routing: fields overwritten", opts + `data_stream_auto_routing = false`, []string{"[data_stream][dataset]", "nginx", "z", "1"},
			`{"create":{"_index":"metrics-app-prod"}}` + "\n{" + ts + `,"data_stream":{"dataset":"app","type":"metrics","namespace":"prod"},"z":"1"}`},
		{"no sync", opts + `data_stream_sync_fields = false`, []string{"[data_stream][dataset]", "nginx"},
			`{"create":{"_index":"metrics-nginx-prod"}}` + "\n{" + ts + `,"data_stream":{"dataset":"nginx"}}`},
		{"no sync, no routing", opts + `data_stream_sync_fields = false data_stream_auto_routing = false`, []string{"[data_stream][dataset]", "nginx"},
			`{"create":{"_index":"metrics-app-prod"}}` + "\n{" + ts + `,"data_stream":{"dataset":"nginx"}}`},
		{"data_stream not an object", opts, []string{"data_stream", "oops"},
			`{"create":{"_index":"metrics-app-prod"}}` + "\n{" + ts + `,"data_stream":{"type":"metrics","dataset":"app","namespace":"prod"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := event("hi", c.kv...)
			before := string(pipeline.AppendEventJSON(nil, e))
			got := strings.TrimSuffix(writeDS(t, c.block, "v8", e), "\n")
			if got != c.want {
				t.Errorf("body\n got %s\nwant %s", got, c.want)
			}
			if after := string(pipeline.AppendEventJSON(nil, e)); after != before {
				t.Errorf("event changed: %s -> %s", before, after)
			}
		})
	}
}

// TestDataStreamConfigErrors checks what Logstash refuses.
func TestDataStreamConfigErrors(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		`data_stream = "true" index = "i"`:                           "index: not allowed with data_stream = true",
		`data_stream = "true" action = "index"`:                      "action: not allowed with data_stream = true",
		`data_stream = "true" manage_template = false`:               "manage_template: not allowed with data_stream = true",
		`data_stream = "true" template_name = "x"`:                   "template_name: not allowed with data_stream = true",
		`data_stream = "true" ilm_enabled = false`:                   "ilm_enabled: not allowed with data_stream = true",
		`data_stream = "true" doc_as_upsert = true`:                  "doc_as_upsert: not allowed with data_stream = true",
		`data_stream = "true" ecs_compatibility = "disabled"`:        "data streams need ECS",
		`data_stream = "false" data_stream_dataset = "x"`:            "data_stream_dataset: data stream option with data_stream = false",
		`data_stream_type = "events"`:                                `unknown type "events"`,
		`data_stream_dataset = "a b"`:                                "has a character among",
		`data_stream_namespace = ""`:                                 "empty name",
		`data_stream_namespace = "` + strings.Repeat("n", 101) + `"`: "too long",
		`ilm_enabled = true`:                                         "ilm_enabled: not supported yet by pipe",
		`ilm_enabled = "maybe"`:                                      `unknown value "maybe"`,
		`ilm_rollover_alias = "a"`:                                   "ilm_rollover_alias: not supported yet by pipe",
		`ilm_policy = "p"`:                                           "ilm_policy: not supported yet by pipe",
		`ilm_pattern = "x"`:                                          "ilm_pattern: not supported yet by pipe",
	}
	for block, want := range bad {
		if got := loadErrors(block); !strings.Contains(got, want) {
			t.Errorf("%s: %q, want %q", block, got, want)
		}
	}
	for _, ok := range []string{`data_stream = "true" data_stream_dataset = "x" action = "create" document_id = "%{id}"`,
		`ilm_enabled = false`, `ilm_enabled = "auto"`, `data_stream = "auto"`, `data_stream = false`, `data_stream = true`} {
		if got := loadErrors(ok); got != "" {
			t.Errorf("%s: %s", ok, got)
		}
	}

	// Errors that need the pipeline's ECS mode come from build.
	for block, want := range map[string]string{
		`data_stream = "true"`:                  "data_stream = true needs ECS",
		`data_stream_dataset = "x"`:             "data_stream auto resolved to false (ECS is disabled) but data_stream_dataset set",
		`index = "i" data_stream_type = "logs"`: "data_stream auto resolved to false (ECS is disabled) but data_stream_type set",
	} {
		if err := buildErr(block, "disabled"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", block, err, want)
		}
	}
	if err := buildErr(`index = "i" data_stream_type = "logs"`, "v8"); err == nil || !strings.Contains(err.Error(), "conflict with data streams are set: index") {
		t.Errorf("index with data_stream_type: %v", err)
	}
}

// buildErr loads and builds the output, returning the build error.
func buildErr(block, ecs string) error {
	spec, diags := conf.Load([]conf.Source{{Name: "test.hcl", Data: []byte("output { elasticsearch { " + block + " } }")}}, registry(), conf.Options{})
	if diags.HasErrors() {
		var b strings.Builder
		_ = diags.Write(&b, nil, false)
		return errors.New(b.String())
	}
	ps := spec.Outputs[0].(*pipeline.PluginSpec)
	_, err := ps.Plugin.Build(ps.Config, ecsDeps(ecs))
	return err
}
