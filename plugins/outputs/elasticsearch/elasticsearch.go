// Package elasticsearch is the elasticsearch output: events indexed with the
// _bulk API, as Logstash's elasticsearch output, with its retry policy
// (failed items resent with exponential backoff, 409 dropped and counted,
// 400/404 written to the dead-letter queue when the pipeline has one, else
// dropped and counted). It also talks to OpenSearch.
package elasticsearch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/valyala/fastjson"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/pipeline/dlq"
)

// Name is the plugin's name in configs.
const Name = "elasticsearch"

// Names of the counters the output keeps in its metrics.
const (
	// CounterConflicts counts documents dropped on a 409 (version conflict).
	CounterConflicts = "conflicts"
	// CounterDropped counts documents dropped on 400/404/dlq_custom_codes
	// and events whose action rendered to an unknown value, when the
	// pipeline's dead-letter queue is disabled.
	CounterDropped = "dropped"
	// CounterDeadLettered counts those documents written to the
	// dead-letter queue instead (when it is enabled).
	CounterDeadLettered = "dead_lettered"
	// CounterTooLarge counts single documents refused with 413.
	CounterTooLarge = "too_large"
	// CounterRetried counts documents resent after a 429/5xx item status
	// or a failed request.
	CounterRetried = "retried"
	// CounterBulkRequests counts _bulk requests sent.
	CounterBulkRequests = "bulk_requests"
)

const (
	// targetBulkBytes is Logstash's TARGET_BULK_BYTES: a request's
	// uncompressed body stays below it unless a single document is larger.
	targetBulkBytes = 20 << 20
	// bulkPath is the request's path and query (Logstash's).
	bulkPath = "/_bulk?filter_path=errors,items.*.error,items.*.status"
	// logEvery is the least time between two log lines of one kind.
	logEvery = 10 * time.Second
	// maxPooledBuf is the largest buffer kept in the pools.
	maxPooledBuf = 4 << 20
)

// Plugin describes the elasticsearch output for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewOutputPlugin(Name, "indexes events in Elasticsearch or OpenSearch (_bulk)", "plain", defaults, build)
}

// action kinds.
const (
	actUnknown = iota
	actIndex
	actCreate
	actUpdate
	actDelete
)

var actionNames = [...]string{actIndex: "index", actCreate: "create", actUpdate: "update", actDelete: "delete"}

func actionOf(s string) int {
	switch s {
	case "index":
		return actIndex
	case "create":
		return actCreate
	case "update":
		return actUpdate
	case "delete":
		return actDelete
	}
	return actUnknown
}

// Output sends batches to Elasticsearch. Write is safe for concurrent use;
// max_in_flight bounds the requests in flight.
type Output struct {
	cfg       *Config
	log       *slog.Logger
	client    *elastictransport.Client
	transport *http.Transport
	index     *pipeline.Template
	constAct  int
	sem       chan struct{}
	timeout   time.Duration
	initWait  time.Duration
	maxWait   time.Duration
	level     int
	silenced  map[string]bool
	dlqCodes  map[int]bool
	headers   http.Header
	encBufs   sync.Pool // *[]byte
	gzBufs    sync.Pool // *bytes.Buffer
	gzWriters sync.Pool // *gzip.Writer
	limiter   logLimiter

	conflicts, dropped, tooLarge, retried, requests *atomic.Int64

	// dlq is the pipeline's dead-letter queue (nil: disabled); id names
	// this output in its entries.
	dlq          *dlq.Writer
	id           string
	deadLettered *atomic.Int64

	checkMu sync.Mutex
	// rootMu guards rootSeen, the cached answer to GET / (see root).
	rootMu   sync.Mutex
	rootSeen *rootAnswer
	checked  bool

	tmpl *templateManager // nil with manage_template = false or a data stream (template.go)

	// ds: events go to data streams (datastream.go), with action create.
	ds bool
	// retryOnConflict is retry_on_conflict with its default.
	retryOnConflict int

	unknownActionLogged atomic.Bool
}

var (
	_ pipeline.Output = (*Output)(nil)
	_ pipeline.Closer = (*Output)(nil)
)

func build(c *Config, d pipeline.Deps) (pipeline.Output, error) {
	o := &Output{cfg: c, log: d.Logger, index: c.index, sem: make(chan struct{}, c.MaxInFlight),
		timeout:  time.Duration(c.Timeout) * time.Second,
		initWait: time.Duration(c.RetryInitialInterval) * time.Second,
		maxWait:  time.Duration(c.RetryMaxInterval) * time.Second,
		level:    c.CompressionLevel, silenced: map[string]bool{}, dlqCodes: map[int]bool{}}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	ecs := c.ECSCompatibility
	if ecs == "" {
		ecs = d.Settings.ECSCompatibility
	}
	ds, why, err := c.resolveDataStream(ecs)
	if err != nil {
		return nil, err
	}
	o.ds = ds
	if c.DataStream == nil || *c.DataStream == "auto" {
		o.log.Info("data_stream auto resolved", "data_stream", ds, "reason", why)
	}
	if !ds && c.Index == nil && (c.ILMEnabled == nil || *c.ILMEnabled == "auto") {
		o.log.Info("ILM not used: ilm_enabled auto resolves to no ILM (pipe does not manage ILM yet); writing to daily indices")
	}
	o.retryOnConflict = 1
	if c.RetryOnConflict != nil {
		o.retryOnConflict = *c.RetryOnConflict
	}
	if ds {
		o.constAct = actCreate
	} else if o.index == nil {
		name := "logstash-%{+yyyy.MM.dd}"
		if ecs == "v1" || ecs == "v8" {
			name = "ecs-logstash-%{+yyyy.MM.dd}"
		}
		t, err := pipeline.ParseTemplate(name)
		if err != nil {
			return nil, fmt.Errorf("default index: %w", err)
		}
		o.index = t
	}
	if !ds && c.action.IsConstant() {
		o.constAct = actionOf(c.action.String())
	}
	for _, s := range c.SilenceErrorsInLog {
		o.silenced[s] = true
	}
	for _, code := range c.DLQCustomCodes {
		o.dlqCodes[code] = true
	}
	if d.Metrics == nil {
		d.Metrics = &pipeline.Metrics{}
	}
	o.conflicts = d.Metrics.Counter(CounterConflicts)
	o.dropped = d.Metrics.Counter(CounterDropped)
	o.tooLarge = d.Metrics.Counter(CounterTooLarge)
	o.retried = d.Metrics.Counter(CounterRetried)
	o.requests = d.Metrics.Counter(CounterBulkRequests)
	o.dlq, o.id = d.DLQ, d.ID
	if o.dlq != nil {
		o.deadLettered = d.Metrics.Counter(CounterDeadLettered)
	}
	o.encBufs.New = func() any { b := make([]byte, 0, 64<<10); return &b }
	o.gzBufs.New = func() any { return bytes.NewBuffer(make([]byte, 0, 16<<10)) }

	o.headers = http.Header{}
	for k, v := range c.CustomHeaders {
		o.headers.Set(k, v)
	}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		TLSClientConfig:     c.tlsConfig,
		MaxIdleConns:        c.PoolMax,
		MaxIdleConnsPerHost: c.PoolMaxPerRoute,
		MaxConnsPerHost:     c.PoolMaxPerRoute,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   false,
	}
	delay := time.Duration(c.ResurrectDelay) * time.Second
	opts := []elastictransport.Option{
		elastictransport.WithURLs(c.hosts...),
		elastictransport.WithHeader(o.headers),
		elastictransport.WithDisableRetry(),
		elastictransport.WithTransport(tr),
		elastictransport.WithConnectionPoolFunc(func(conns []*elastictransport.Connection, _ elastictransport.Selector) elastictransport.ConnectionPool {
			return newHostPool(conns, delay)
		}),
	}
	if c.User != "" {
		opts = append(opts, elastictransport.WithBasicAuth(c.User, c.Password))
	}
	if c.apiKeyEncoded != "" {
		opts = append(opts, elastictransport.WithAPIKey(c.apiKeyEncoded))
	}
	client, err := elastictransport.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch client: %w", err)
	}
	o.client, o.transport = client, tr
	if !ds {
		o.tmpl = newTemplateManager(c, d.Settings.ECSCompatibility)
	}
	return o, nil
}

// Close implements pipeline.Closer.
func (o *Output) Close(context.Context) error {
	o.transport.CloseIdleConnections()
	return nil
}

// item is one encoded document: its bytes in the batch buffer, and its
// event (for the dead-letter queue).
type item struct {
	start, end int
	ev         *pipeline.Event
}

// deadLetters collects one Write's entries for the dead-letter queue.
type deadLetters []dlq.Entry

// deadLetter records that the server (or the action) refused e for good.
func (o *Output) deadLetter(dl *deadLetters, e *pipeline.Event, status int, errType, reason string) {
	*dl = append(*dl, dlq.Entry{PluginType: Name, PluginID: o.id, Status: status, ErrorType: errType, Reason: reason,
		Event: pipeline.AppendJSONValue(nil, e.ToMap(true))})
}

// flushDeadLetters writes the entries to the dead-letter queue (synced)
// before Write reports the batch done; an error fails the Write, and the
// engine retries the batch.
func (o *Output) flushDeadLetters(dl deadLetters) error {
	if len(dl) == 0 {
		return nil
	}
	if err := o.dlq.Write(dl...); err != nil {
		return fmt.Errorf("%d documents refused by the server could not be written to the dead letter queue: %w", len(dl), err)
	}
	o.deadLettered.Add(int64(len(dl)))
	return nil
}

// Write implements pipeline.Output.
func (o *Output) Write(ctx context.Context, events []*pipeline.Event) error {
	if err := o.productCheck(ctx); err != nil {
		return err
	}
	if err := o.ensureTemplate(ctx); err != nil {
		return err
	}
	bp := o.encBufs.Get().(*[]byte)
	buf := (*bp)[:0]
	items := make([]item, 0, len(events))
	var dead deadLetters
	for _, e := range events {
		start := len(buf)
		var ok bool
		buf, ok = o.encode(buf, e)
		if !ok {
			buf = buf[:start]
			if o.dlq != nil {
				o.deadLetter(&dead, e, 0, "", fmt.Sprintf("action %q is not index, create, update or delete", o.cfg.action.Render(e)))
			}
			continue
		}
		items = append(items, item{start, len(buf), e})
	}
	defer func() {
		if cap(buf) <= maxPooledBuf {
			*bp = buf[:0]
			o.encBufs.Put(bp)
		}
	}()
	wait := o.initWait
	pending := items
	for len(pending) > 0 {
		var retry []item
		var lastErr error
		for _, chunk := range splitChunks(pending, targetBulkBytes) {
			r, err := o.send(ctx, buf, chunk, &dead)
			retry = append(retry, r...)
			if err != nil {
				lastErr = err
			}
		}
		if len(retry) == 0 {
			return o.flushDeadLetters(dead)
		}
		o.retried.Add(int64(len(retry)))
		pending = retry
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			if lastErr != nil {
				return fmt.Errorf("%d documents not indexed: %w (last error: %w)", len(pending), ctx.Err(), lastErr)
			}
			return fmt.Errorf("%d documents not indexed: %w", len(pending), ctx.Err())
		}
		wait = min(wait*2, o.maxWait)
	}
	return o.flushDeadLetters(dead)
}

// splitChunks splits items into runs whose bytes stay below limit; a single
// larger item is a run of its own.
func splitChunks(items []item, limit int) [][]item {
	var out [][]item
	start, size := 0, 0
	for i, it := range items {
		n := it.end - it.start
		if i > start && size+n > limit {
			out = append(out, items[start:i])
			start, size = i, 0
		}
		size += n
	}
	return append(out, items[start:])
}

// encode appends the action line and source of e; false when the event's
// action is unknown (it is logged once and counted).
func (o *Output) encode(dst []byte, e *pipeline.Event) ([]byte, bool) {
	act := o.constAct
	if act == actUnknown {
		s := o.cfg.action.Render(e)
		act = actionOf(s)
		if act == actUnknown {
			if o.dlq != nil {
				return dst, false // Write dead-letters it
			}
			o.dropped.Add(1)
			if o.unknownActionLogged.CompareAndSwap(false, true) {
				o.log.Warn("event dropped: its action is not index, create, update or delete (logged once)", "action", s)
			}
			return dst, false
		}
	}
	var parts [3]string
	if o.ds {
		dst, parts = o.appendDSAction(dst, e)
	} else {
		dst = append(dst, `{"`...)
		dst = append(dst, actionNames[act]...)
		dst = append(dst, `":{"_index":`...)
		dst = appendTemplateJSON(dst, o.index, e)
	}
	if t := o.cfg.documentID; t != nil {
		dst = append(dst, `,"_id":`...)
		dst = appendTemplateJSON(dst, t, e)
	}
	if t := o.cfg.routing; t != nil {
		dst = append(dst, `,"routing":`...)
		dst = appendTemplateJSON(dst, t, e)
	}
	if t := o.cfg.pipeline; t != nil && act != actDelete {
		dst = append(dst, `,"pipeline":`...)
		dst = appendTemplateJSON(dst, t, e)
	}
	if act == actUpdate && o.retryOnConflict > 0 {
		dst = append(dst, `,"retry_on_conflict":`...)
		dst = strconv.AppendInt(dst, int64(o.retryOnConflict), 10)
	}
	dst = append(dst, "}}\n"...)
	switch act {
	case actDelete:
		return dst, true
	case actUpdate:
		dst = append(dst, `{"doc":`...)
		dst = pipeline.AppendEventJSON(dst, e)
		if o.cfg.DocAsUpsert != nil && *o.cfg.DocAsUpsert {
			dst = append(dst, `,"doc_as_upsert":true`...)
		}
		dst = append(dst, "}\n"...)
	default:
		if o.ds {
			dst = o.appendDSDocument(dst, e, parts)
		} else {
			dst = pipeline.AppendEventJSON(dst, e)
		}
		dst = append(dst, '\n')
	}
	return dst, true
}

// appendTemplateJSON appends the rendered format as a JSON string.
func appendTemplateJSON(dst []byte, t *pipeline.Template, e *pipeline.Event) []byte {
	if t.IsConstant() {
		return pipeline.AppendJSONString(dst, t.String())
	}
	var scratch [128]byte
	return pipeline.AppendJSONString(dst, string(t.Append(scratch[:0], e)))
}

// errRequest is a whole-request failure to retry.
type errRequest struct {
	status int
	err    error
}

func (e *errRequest) Error() string {
	if e.err != nil {
		return "bulk request failed: " + e.err.Error()
	}
	return "bulk request failed with HTTP " + strconv.Itoa(e.status)
}

func (e *errRequest) Unwrap() error { return e.err }

// send posts one chunk and returns the items to retry. A 413 or 400 on the
// whole request splits the chunk in halves, down to single documents,
// which are then dropped and counted (a 400 goes to dl when the
// dead-letter queue is enabled).
func (o *Output) send(ctx context.Context, buf []byte, chunk []item, dl *deadLetters) ([]item, error) {
	status, body, err := o.post(ctx, buf, chunk)
	if err != nil {
		o.limiter.warn(o.log, "request", "bulk request failed; retrying", "error", err.Error(), "documents", len(chunk))
		return chunk, &errRequest{err: err}
	}
	defer o.putBuf(body)
	switch {
	case status == http.StatusRequestEntityTooLarge || status == http.StatusBadRequest:
		if len(chunk) == 1 {
			if status == http.StatusRequestEntityTooLarge {
				o.tooLarge.Add(1)
				o.limiter.warn(o.log, "413", "document dropped: larger than the server accepts (HTTP 413)", "bytes", chunk[0].end-chunk[0].start)
			} else if o.dlq != nil {
				o.deadLetter(dl, chunk[0].ev, status, fastjson.GetString(body.Bytes(), "error", "type"), truncate(body.Bytes(), 4096))
			} else {
				o.dropped.Add(1)
				o.limiter.warn(o.log, "400", "document dropped: the server refused the request (HTTP 400)", "response", truncate(body.Bytes(), 512))
			}
			return nil, nil
		}
		half := len(chunk) / 2
		r1, err1 := o.send(ctx, buf, chunk[:half], dl)
		r2, err2 := o.send(ctx, buf, chunk[half:], dl)
		return append(r1, r2...), errors.Join(err1, err2)
	case status < 200 || status > 299:
		if status == http.StatusTooManyRequests {
			o.log.Debug("bulk request refused with 429; retrying", "documents", len(chunk))
		} else {
			o.limiter.warn(o.log, "status", "bulk request failed; retrying", "status", status, "response", truncate(body.Bytes(), 512))
		}
		return chunk, &errRequest{status: status}
	}
	return o.itemResults(chunk, body.Bytes(), dl)
}

// itemResults applies the retry policy to each item of a 2xx response.
func (o *Output) itemResults(chunk []item, resp []byte, dl *deadLetters) ([]item, error) {
	var p fastjson.Parser
	v, err := p.ParseBytes(resp)
	if err != nil {
		return chunk, fmt.Errorf("bulk response: %w", err)
	}
	if !v.GetBool("errors") {
		return nil, nil
	}
	results := v.GetArray("items")
	if len(results) != len(chunk) {
		return chunk, fmt.Errorf("bulk response has %d items for %d documents", len(results), len(chunk))
	}
	var retry []item
	for i, r := range results {
		obj, err := r.Object()
		if err != nil {
			retry = append(retry, chunk[i])
			continue
		}
		var res *fastjson.Value
		obj.Visit(func(_ []byte, x *fastjson.Value) { res = x })
		if res == nil {
			retry = append(retry, chunk[i])
			continue
		}
		status := res.GetInt("status")
		errType := string(res.GetStringBytes("error", "type"))
		switch {
		case status >= 200 && status <= 299:
		case status == http.StatusConflict:
			o.conflicts.Add(1)
			if !o.silenced[errType] {
				o.limiter.warn(o.log, "409", "document dropped: version conflict (409); raise retry_on_conflict for updates",
					"error", string(res.GetStringBytes("error", "reason")))
			}
		case (status == http.StatusBadRequest || status == http.StatusNotFound || o.dlqCodes[status]) && o.dlq != nil:
			o.deadLetter(dl, chunk[i].ev, status, errType, string(res.GetStringBytes("error", "reason")))
		case status == http.StatusBadRequest || status == http.StatusNotFound || o.dlqCodes[status]:
			o.dropped.Add(1)
			if !o.silenced[errType] {
				o.limiter.warn(o.log, "drop", "document dropped: the server refused it", "status", status,
					"error_type", errType, "error", string(res.GetStringBytes("error", "reason")))
			}
		default:
			retry = append(retry, chunk[i])
		}
	}
	if len(retry) > 0 {
		o.limiter.warn(o.log, "retry", "some documents failed; retrying them", "documents", len(retry))
	}
	return retry, nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

func (o *Output) getBuf() *bytes.Buffer {
	b := o.gzBufs.Get().(*bytes.Buffer)
	b.Reset()
	return b
}

func (o *Output) putBuf(b *bytes.Buffer) {
	if b != nil && b.Cap() <= maxPooledBuf {
		o.gzBufs.Put(b)
	}
}

// gzWriter returns a pooled gzip writer at compression_level writing to w;
// put it back in gzWriters after Close.
func (o *Output) gzWriter(w io.Writer) *gzip.Writer {
	zw, _ := o.gzWriters.Get().(*gzip.Writer)
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(w, o.level)
	} else {
		zw.Reset(w)
	}
	return zw
}

// post sends the items as one _bulk request and returns the status and
// the response body (to be put back with putBuf).
func (o *Output) post(ctx context.Context, buf []byte, chunk []item) (int, *bytes.Buffer, error) {
	var raw []byte
	contiguous := true
	for i := 1; i < len(chunk); i++ {
		if chunk[i].start != chunk[i-1].end {
			contiguous = false
			break
		}
	}
	var joined *bytes.Buffer
	if contiguous {
		raw = buf[chunk[0].start:chunk[len(chunk)-1].end]
	} else {
		joined = o.getBuf()
		defer o.putBuf(joined)
		for _, it := range chunk {
			joined.Write(buf[it.start:it.end])
		}
		raw = joined.Bytes()
	}
	body := raw
	if o.level > 0 {
		zb := o.getBuf()
		defer o.putBuf(zb)
		zw := o.gzWriter(zb)
		_, _ = zw.Write(raw)
		_ = zw.Close()
		o.gzWriters.Put(zw)
		body = zb.Bytes()
	}

	select {
	case o.sem <- struct{}{}:
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	}
	defer func() { <-o.sem }()
	rctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, bulkPath, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("X-Elastic-Event-Count", strconv.Itoa(len(chunk)))
	req.Header.Set("X-Elastic-Uncompressed-Request-Length", strconv.Itoa(len(raw)))
	if o.level > 0 {
		req.Header.Set("Content-Encoding", "gzip")
	}
	o.requests.Add(1)
	res, err := o.client.Perform(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	rb := o.getBuf()
	if _, err := rb.ReadFrom(res.Body); err != nil {
		o.putBuf(rb)
		return 0, nil, fmt.Errorf("read bulk response: %w", err)
	}
	return res.StatusCode, rb, nil
}

// productCheck checks once, before the first bulk request, that the
// server is what product_check says (auto accepts Elasticsearch and
// OpenSearch). A failure is returned so that the engine retries.
func (o *Output) productCheck(ctx context.Context) error {
	if o.cfg.ProductCheck == "none" {
		return nil
	}
	o.checkMu.Lock()
	defer o.checkMu.Unlock()
	if o.checked {
		return nil
	}
	r, err := o.root(ctx)
	if err != nil {
		return fmt.Errorf("product check: %w", err)
	}
	b := r.body
	isES := r.elasticProduct
	isOS := fastjson.GetString(b, "version", "distribution") == "opensearch"
	product := "unknown"
	switch {
	case isES:
		product = "elasticsearch"
	case isOS:
		product = "opensearch"
	}
	switch o.cfg.ProductCheck {
	case "elasticsearch":
		if !isES {
			return errors.New("product check: the server is not Elasticsearch (no X-Elastic-Product header); set product_check = \"opensearch\" or \"none\"")
		}
	case "opensearch":
		if !isOS {
			return errors.New("product check: the server is not OpenSearch (version.distribution); set product_check = \"elasticsearch\" or \"none\"")
		}
	}
	o.log.Info("connected", "product", product, "version", fastjson.GetString(b, "version", "number"))
	o.checked = true
	return nil
}

// rootAnswer is the server's answer to GET /.
type rootAnswer struct {
	body           []byte
	elasticProduct bool // X-Elastic-Product: Elasticsearch
}

// root asks GET / once and keeps a successful answer: the product check
// and the template's version lookup both read it.
func (o *Output) root(ctx context.Context) (*rootAnswer, error) {
	o.rootMu.Lock()
	defer o.rootMu.Unlock()
	if o.rootSeen != nil {
		return o.rootSeen, nil
	}
	rctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, "/", nil)
	if err != nil {
		return nil, err
	}
	res, err := o.client.Perform(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return nil, fmt.Errorf("GET / answered HTTP %d", res.StatusCode)
	}
	o.rootSeen = &rootAnswer{body: b, elasticProduct: res.Header.Get("X-Elastic-Product") == "Elasticsearch"}
	return o.rootSeen, nil
}

// logLimiter lets one log line of each kind through per logEvery.
type logLimiter struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func (l *logLimiter) warn(log *slog.Logger, kind, msg string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	if l.last == nil {
		l.last = map[string]time.Time{}
	}
	if t, ok := l.last[kind]; ok && now.Sub(t) < logEvery {
		l.mu.Unlock()
		return
	}
	l.last[kind] = now
	l.mu.Unlock()
	log.Warn(msg, args...)
}
