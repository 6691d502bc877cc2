package elasticsearch

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fastjson"
)

// defaultTemplates holds the built-in index templates, in the composable
// (_index_template) form; legacyTemplate derives the _template form.
//
//go:embed template/*.json
var defaultTemplates embed.FS

// Template API endpoints.
const (
	composableEndpoint = "/_index_template/"
	legacyEndpoint     = "/_template/"
)

// templateManager installs the index template once, before the first bulk
// request (manage_template). It is nil when manage_template is false.
type templateManager struct {
	name      string
	api       string // auto, legacy or composable
	overwrite bool
	custom    []byte // the template file, sent as is; nil: built-in
	builtin   string // file name in defaultTemplates
	done      atomic.Bool

	mu sync.Mutex
	// major is the server's major version, 0 until read; opensearch
	// tells OpenSearch from Elasticsearch.
	major      int
	opensearch bool
}

// newTemplateManager returns the manager for c, or nil when
// manage_template is false. ecs is the pipeline's ECS mode, used when
// ecs_compatibility is unset.
func newTemplateManager(c *Config, ecs string) *templateManager {
	if c.ManageTemplate != nil && !*c.ManageTemplate {
		return nil
	}
	if c.ECSCompatibility != "" {
		ecs = c.ECSCompatibility
	}
	m := &templateManager{name: c.TemplateName, api: c.TemplateAPI, overwrite: c.TemplateOverwrite != nil && *c.TemplateOverwrite,
		custom: c.templateFile, builtin: "template/logstash.json"}
	if m.api == "" {
		m.api = "auto"
	}
	ecsOn := ecs == "v1" || ecs == "v8"
	if ecsOn {
		m.builtin = "template/ecs-logstash.json"
	}
	if m.name == "" {
		m.name = "logstash"
		if ecsOn {
			m.name = "ecs-logstash"
		}
	}
	return m
}

// readTemplateFile reads a template file and checks that it is a JSON
// object with index_patterns (a string or a non-empty list).
func readTemplateFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t map[string]json.RawMessage
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object: %w", path, err)
	}
	p, ok := t["index_patterns"]
	if !ok {
		return nil, fmt.Errorf("%s has no index_patterns", path)
	}
	var one string
	var list []string
	if json.Unmarshal(p, &one) == nil && one != "" {
		return b, nil
	}
	if json.Unmarshal(p, &list) == nil && len(list) > 0 {
		return b, nil
	}
	return nil, fmt.Errorf("%s: index_patterns is neither a pattern nor a list of patterns", path)
}

// legacyTemplate turns a composable template into the legacy _template
// form: settings and mappings at the top, order instead of priority, no
// _meta.
func legacyTemplate(composable []byte) ([]byte, error) {
	var t struct {
		IndexPatterns []string        `json:"index_patterns"`
		Version       int             `json:"version,omitempty"`
		Template      json.RawMessage `json:"template"`
	}
	if err := json.Unmarshal(composable, &t); err != nil {
		return nil, err
	}
	var body struct {
		Settings json.RawMessage `json:"settings,omitempty"`
		Mappings json.RawMessage `json:"mappings,omitempty"`
	}
	if err := json.Unmarshal(t.Template, &body); err != nil {
		return nil, err
	}
	return json.Marshal(struct {
		IndexPatterns []string        `json:"index_patterns"`
		Version       int             `json:"version,omitempty"`
		Order         int             `json:"order"`
		Settings      json.RawMessage `json:"settings,omitempty"`
		Mappings      json.RawMessage `json:"mappings,omitempty"`
	}{t.IndexPatterns, t.Version, 0, body.Settings, body.Mappings})
}

// ensureTemplate installs the index template before the first bulk
// request when manage_template is on: absent templates are installed,
// present ones only with template_overwrite. Failures are logged and
// retried with the bulk backoff (retry_initial_interval doubling to
// retry_max_interval) until ctx ends, as connection errors are: no
// document is sent before the template is in place.
func (o *Output) ensureTemplate(ctx context.Context) error {
	m := o.tmpl
	if m == nil || m.done.Load() {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	wait := o.initWait
	for !m.done.Load() {
		err := o.installTemplate(ctx, m)
		if err == nil {
			break
		}
		o.limiter.warn(o.log, "template", "index template not installed; retrying", "error", err.Error(), "retry_in", wait)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), err)
		}
		wait = min(wait*2, o.maxWait)
	}
	return nil
}

// installTemplate makes one attempt; m.done is set on success.
func (o *Output) installTemplate(ctx context.Context, m *templateManager) error {
	composable := m.api == "composable"
	if m.api == "auto" {
		if m.major == 0 {
			major, isOS, err := o.serverVersion(ctx)
			if err != nil {
				return fmt.Errorf("index template %q: %w", m.name, err)
			}
			m.major, m.opensearch = major, isOS
		}
		// As Logstash: composable from Elasticsearch 8 on. OpenSearch
		// reports 1.x-3.x, which Logstash reads as a major below 8.
		composable = !m.opensearch && m.major >= 8
	}
	endpoint, api := legacyEndpoint, "legacy"
	if composable {
		endpoint, api = composableEndpoint, "composable"
	}
	path := endpoint + url.PathEscape(m.name)
	if !m.overwrite {
		status, body, err := o.templateRequest(ctx, http.MethodHead, path, nil)
		if err != nil {
			return fmt.Errorf("index template %q: %w", m.name, err)
		}
		switch status {
		case http.StatusOK:
			o.log.Info("index template exists; not overwritten (template_overwrite is false)", "name", m.name, "api", api)
			m.done.Store(true)
			return nil
		case http.StatusNotFound:
		default:
			return fmt.Errorf("index template %q: HEAD %s answered HTTP %d %s", m.name, path, status, truncate(body, 512))
		}
	}
	body, source, err := m.body(composable)
	if err != nil {
		return fmt.Errorf("index template %q: %w", m.name, err)
	}
	status, resp, err := o.templateRequest(ctx, http.MethodPut, path, body)
	if err != nil {
		return fmt.Errorf("index template %q: %w", m.name, err)
	}
	if status < 200 || status > 299 {
		return fmt.Errorf("index template %q: PUT %s answered HTTP %d %s", m.name, path, status, truncate(resp, 512))
	}
	o.log.Info("index template installed", "name", m.name, "api", api, "template", source)
	m.done.Store(true)
	return nil
}

// body returns the template to send and where it comes from.
func (m *templateManager) body(composable bool) ([]byte, string, error) {
	if m.custom != nil {
		return m.custom, "file", nil
	}
	b, err := defaultTemplates.ReadFile(m.builtin)
	if err != nil {
		return nil, "", err
	}
	if !composable {
		b, err = legacyTemplate(b)
	}
	return b, "built-in " + strings.TrimSuffix(strings.TrimPrefix(m.builtin, "template/"), ".json"), err
}

// serverVersion reads the major version and distribution from GET /.
func (o *Output) serverVersion(ctx context.Context) (major int, opensearch bool, err error) {
	r, err := o.root(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("server version: %w", err)
	}
	b := r.body
	number := fastjson.GetString(b, "version", "number")
	major, err = strconv.Atoi(strings.SplitN(number, ".", 2)[0])
	if err != nil || major <= 0 {
		return 0, false, fmt.Errorf("server version: GET / has no version.number (%q)", number)
	}
	return major, fastjson.GetString(b, "version", "distribution") == "opensearch", nil
}

// templateRequest sends one request of the template setup and returns
// the status and body (at most 1 MiB).
func (o *Output) templateRequest(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	rctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	var rb io.Reader
	if body != nil {
		rb = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(rctx, method, path, rb)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := o.client.Perform(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("read %s %s response: %w", method, path, err)
	}
	return res.StatusCode, b, nil
}
