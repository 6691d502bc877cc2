package elasticsearch

import (
	"fmt"
	"strings"

	"github.com/pipeproject/pipe/pipeline"
)

// Data stream defaults (Logstash's).
const (
	defaultDSType      = "logs"
	defaultDSDataset   = "generic"
	defaultDSNamespace = "default"
)

// dsTypes are the accepted data_stream_type values.
var dsTypes = []string{"logs", "metrics", "synthetics", "traces"}

// invalidIdentifierChars may not appear in a dataset or namespace.
const invalidIdentifierChars = `\/*?"<>| ,#:`

// conflictsWithDataStream returns the options set that conflict with data streams, as
// Logstash 8 lists them: every option it does not share with its data
// stream support (connection, auth, TLS, retry and pool options,
// document_id, routing, pipeline, ecs_compatibility, data_stream*), so
// index, action other than create, doc_as_upsert, retry_on_conflict,
// manage_template (even false), template*, ilm_*. pipe's own options
// (max_in_flight, product_check) do not conflict.
func (c *Config) conflictsWithDataStream() []string {
	var out []string
	if c.Index != nil {
		out = append(out, "index")
	}
	if c.Action != "" && c.Action != "create" {
		out = append(out, "action")
	}
	if c.DocAsUpsert != nil {
		out = append(out, "doc_as_upsert")
	}
	if c.RetryOnConflict != nil {
		out = append(out, "retry_on_conflict")
	}
	if c.ManageTemplate != nil {
		out = append(out, "manage_template")
	}
	if c.Template != "" {
		out = append(out, "template")
	}
	if c.TemplateName != "" {
		out = append(out, "template_name")
	}
	if c.TemplateOverwrite != nil {
		out = append(out, "template_overwrite")
	}
	if c.TemplateAPI != "" {
		out = append(out, "template_api")
	}
	if c.ILMEnabled != nil {
		out = append(out, "ilm_enabled")
	}
	return out
}

// dsOptionsSet lists the data_stream_* options set.
func (c *Config) dsOptionsSet() []string {
	var out []string
	for _, o := range []struct {
		name string
		set  bool
	}{
		{"data_stream_type", c.DataStreamType != nil},
		{"data_stream_dataset", c.DataStreamDataset != nil},
		{"data_stream_namespace", c.DataStreamNamespace != nil},
		{"data_stream_auto_routing", c.DataStreamAutoRouting != nil},
		{"data_stream_sync_fields", c.DataStreamSyncFields != nil},
	} {
		if o.set {
			out = append(out, o.name)
		}
	}
	return out
}

// validateDataStream checks data_stream*, ilm_enabled and what Validate
// can tell without the pipeline's ECS mode (build resolves auto).
func (c *Config) validateDataStream(bad func(attr, summary, detail string)) {
	if c.ILMEnabled != nil {
		switch *c.ILMEnabled {
		case "false", "auto":
		case "true":
			bad("ilm_enabled", "not supported yet by pipe", advice("ilm_enabled"))
		default:
			bad("ilm_enabled", fmt.Sprintf("unknown value %q", *c.ILMEnabled), "use false or auto")
		}
	}
	c.dsType, c.dsDataset, c.dsNamespace = defaultDSType, defaultDSDataset, defaultDSNamespace
	c.autoRouting, c.syncFields = true, true
	if c.DataStreamType != nil {
		c.dsType = *c.DataStreamType
		ok := false
		for _, t := range dsTypes {
			ok = ok || t == c.dsType
		}
		if !ok {
			bad("data_stream_type", fmt.Sprintf("unknown type %q", c.dsType), "use "+strings.Join(dsTypes, ", "))
		}
	}
	if c.DataStreamDataset != nil {
		c.dsDataset = *c.DataStreamDataset
		if err := checkIdentifier(c.dsDataset); err != nil {
			bad("data_stream_dataset", err.Error(), "use a short name such as \"nginx\"")
		}
	}
	if c.DataStreamNamespace != nil {
		c.dsNamespace = *c.DataStreamNamespace
		if err := checkIdentifier(c.dsNamespace); err != nil {
			bad("data_stream_namespace", err.Error(), "use a short name such as \"production\"")
		}
	}
	if c.DataStreamAutoRouting != nil {
		c.autoRouting = *c.DataStreamAutoRouting
	}
	if c.DataStreamSyncFields != nil {
		c.syncFields = *c.DataStreamSyncFields
	}
	c.dsConflicts = c.conflictsWithDataStream()
	if c.DataStream == nil {
		return
	}
	switch *c.DataStream {
	case "auto":
	case "true":
		for _, name := range c.dsConflicts {
			bad(name, "not allowed with data_stream = true", "remove it: a data stream is written with action create to <data_stream_type>-<data_stream_dataset>-<data_stream_namespace>, with the server's templates; or set data_stream = false")
		}
		if c.ECSCompatibility == "disabled" {
			bad("data_stream", "data_stream = true with ecs_compatibility = \"disabled\"", "data streams need ECS: use ecs_compatibility v1 or v8, or data_stream = false")
		}
	case "false":
		for _, name := range c.dsOptionsSet() {
			bad(name, "data stream option with data_stream = false", "remove it, or set data_stream = true")
		}
	default:
		bad("data_stream", fmt.Sprintf("unknown value %q", *c.DataStream), "use true, false or auto")
	}
}

// checkIdentifier applies Logstash's rule for a dataset or namespace.
func checkIdentifier(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("empty name")
	case len(s) > 100:
		return fmt.Errorf("name too long (%d bytes, at most 100)", len(s))
	case strings.ContainsAny(s, invalidIdentifierChars):
		return fmt.Errorf("name %q has a character among %s", s, invalidIdentifierChars)
	}
	return nil
}

// resolveDataStream returns whether c writes to a data stream with the
// ECS mode ecs (the option, else the pipeline's), and an error for a
// configuration Logstash refuses. why says how auto resolved.
func (c *Config) resolveDataStream(ecs string) (ds bool, why string, err error) {
	ecsOn := ecs == "v1" || ecs == "v8"
	mode := "auto"
	if c.DataStream != nil {
		mode = *c.DataStream
	}
	switch mode {
	case "true":
		if !ecsOn {
			return false, "", fmt.Errorf("data_stream = true needs ECS (v1 or v8) but ecs_compatibility is %q: set ecs_compatibility or data_stream = false", ecs)
		}
		return true, "data_stream = true", nil
	case "false":
		return false, "data_stream = false", nil
	}
	switch {
	case !ecsOn:
		why = "ECS is disabled"
	case len(c.dsConflicts) > 0:
		why = "options that conflict with data streams are set: " + strings.Join(c.dsConflicts, ", ")
	default:
		ds, why = true, "ECS is on and no option conflicting with data streams is set"
	}
	if set := c.dsOptionsSet(); !ds && len(set) > 0 {
		return false, why, fmt.Errorf("data_stream auto resolved to false (%s) but %s set: set data_stream = true or remove them", why, strings.Join(set, ", "))
	}
	return ds, why, nil
}

// dsName returns the data stream name parts for e: the options, or with
// data_stream_auto_routing the event's [data_stream] strings.
func (o *Output) dsName(e *pipeline.Event) (typ, dataset, namespace string) {
	typ, dataset, namespace = o.cfg.dsType, o.cfg.dsDataset, o.cfg.dsNamespace
	if !o.cfg.autoRouting {
		return
	}
	v, ok := e.Fields().Get("data_stream")
	if !ok {
		return
	}
	m, ok := v.(*pipeline.Map)
	if !ok {
		return
	}
	if s, ok := m.Get("type"); ok {
		if s, ok := s.(string); ok {
			typ = s
		}
	}
	if s, ok := m.Get("dataset"); ok {
		if s, ok := s.(string); ok {
			dataset = s
		}
	}
	if s, ok := m.Get("namespace"); ok {
		if s, ok := s.(string); ok {
			namespace = s
		}
	}
	return
}

// appendDSAction appends the create action line for e's data stream and
// returns the parts used.
func (o *Output) appendDSAction(dst []byte, e *pipeline.Event) ([]byte, [3]string) {
	typ, dataset, namespace := o.dsName(e)
	dst = append(dst, `{"create":{"_index":`...)
	dst = pipeline.AppendJSONString(dst, typ+"-"+dataset+"-"+namespace)
	return dst, [3]string{typ, dataset, namespace}
}

// dsKeys are the [data_stream] fields kept in sync with the name.
var dsKeys = [3]string{"type", "dataset", "namespace"}

// appendDSDocument appends e as JSON with, under data_stream_sync_fields,
// [data_stream][type|dataset|namespace] set to parts (the event itself is
// not changed: other outputs may share it). A [data_stream] that is not
// an object is replaced, with a warning.
func (o *Output) appendDSDocument(dst []byte, e *pipeline.Event, parts [3]string) []byte {
	if !o.cfg.syncFields {
		return pipeline.AppendEventJSON(dst, e)
	}
	dst = append(dst, '{')
	first := true
	if ts, ok := e.Timestamp(); ok {
		dst = append(dst, `"@timestamp":"`...)
		dst = ts.AppendISO(dst)
		dst = append(dst, '"')
		first = false
	}
	f := e.Fields()
	seen := false
	for i := range f.Len() {
		k, v := f.At(i)
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = pipeline.AppendJSONString(dst, k)
		dst = append(dst, ':')
		if k != "data_stream" {
			dst = pipeline.AppendJSONValue(dst, v)
			continue
		}
		seen = true
		m, ok := v.(*pipeline.Map)
		if !ok {
			if v != nil {
				o.limiter.warn(o.log, "ds-field", "the event's [data_stream] is not an object; it is replaced in the document", "value", pipeline.ValueString(v))
			}
			dst = appendDSObject(dst, nil, parts)
			continue
		}
		if !o.cfg.autoRouting {
			for j, key := range dsKeys {
				if x, ok := m.Get(key); ok && x != parts[j] {
					o.limiter.warn(o.log, "ds-sync", "the event's [data_stream] fields differ from the data stream name; they are set to it in the document",
						"field", "[data_stream]["+key+"]", "value", pipeline.ValueString(x), "name", parts[j])
				}
			}
		}
		dst = appendDSObject(dst, m, parts)
	}
	if !seen {
		if !first {
			dst = append(dst, ',')
		}
		dst = append(dst, `"data_stream":`...)
		dst = appendDSObject(dst, nil, parts)
	}
	return append(dst, '}')
}

// appendDSObject appends m (may be nil) with type, dataset and namespace
// set to parts, in m's order, the missing ones last.
func appendDSObject(dst []byte, m *pipeline.Map, parts [3]string) []byte {
	dst = append(dst, '{')
	var done [3]bool
	n := 0
	if m != nil {
		for i := range m.Len() {
			k, v := m.At(i)
			if n > 0 {
				dst = append(dst, ',')
			}
			n++
			dst = pipeline.AppendJSONString(dst, k)
			dst = append(dst, ':')
			j := dsKeyIndex(k)
			if j < 0 {
				dst = pipeline.AppendJSONValue(dst, v)
				continue
			}
			done[j] = true
			dst = pipeline.AppendJSONString(dst, parts[j])
		}
	}
	for j, key := range dsKeys {
		if done[j] {
			continue
		}
		if n > 0 {
			dst = append(dst, ',')
		}
		n++
		dst = pipeline.AppendJSONString(dst, key)
		dst = append(dst, ':')
		dst = pipeline.AppendJSONString(dst, parts[j])
	}
	return append(dst, '}')
}

func dsKeyIndex(k string) int {
	for j, key := range dsKeys {
		if k == key {
			return j
		}
	}
	return -1
}
