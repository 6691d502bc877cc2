// Package deadletterqueue is the dead_letter_queue input: it reads back the
// events a pipeline's outputs put in its dead-letter queue (package
// pipeline/dlq), with the error in [@metadata][dead_letter_queue], so that
// they can be fixed and replayed, as Logstash's input of that name.
package deadletterqueue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/pipeline/dlq"
)

// Name is the plugin's name in configs.
const Name = "dead_letter_queue"

// Names of the counters the input keeps in its metrics.
const (
	// CounterSkipped counts records skipped as torn (a crash while
	// writing) or unreadable.
	CounterSkipped = "skipped_records"
	// CounterBeforeStart counts records older than start_timestamp.
	CounterBeforeStart = "before_start_timestamp"
)

const (
	// batchSize is the most records emitted at once.
	batchSize = 128
	// pollInterval is the wait before looking for new records again.
	pollInterval = 200 * time.Millisecond
)

// Config is the dead_letter_queue input's configuration.
type Config struct {
	// Path is the dead-letter queue's folder, the pipeline setting
	// dead_letter_queue.path (which holds one folder per pipeline).
	Path string `hcl:"path"`
	// PipelineID is the pipeline whose queue is read ("main").
	PipelineID string `hcl:"pipeline_id,optional"`
	// CommitOffsets saves how far the input got (once the events are
	// acknowledged by the outputs), so that a restart does not replay.
	CommitOffsets bool `hcl:"commit_offsets,optional"`
	// SincedbPath is the offsets file (default: <path>/<pipeline_id>.offsets).
	SincedbPath string `hcl:"sincedb_path,optional"`
	// StartTimestamp skips the entries written before it (ISO-8601).
	StartTimestamp string `hcl:"start_timestamp,optional"`
	// CleanConsumed deletes the segments read and acknowledged (needs
	// commit_offsets).
	CleanConsumed bool `hcl:"clean_consumed,optional"`
}

func defaults() *Config { return &Config{PipelineID: "main", CommitOffsets: true} }

// Validate checks the options.
func (c *Config) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, &pipeline.ConfigError{Attr: "path", Summary: "must not be empty",
			Detail: "give the pipeline's dead_letter_queue path (default data/dead_letter_queue)"})
	}
	if c.PipelineID == "" {
		errs = append(errs, &pipeline.ConfigError{Attr: "pipeline_id", Summary: "must not be empty"})
	}
	if c.CleanConsumed && !c.CommitOffsets {
		errs = append(errs, &pipeline.ConfigError{Attr: "clean_consumed", Summary: "needs commit_offsets = true",
			Detail: "segments are deleted once their events are acknowledged and the offsets saved"})
	}
	if c.StartTimestamp != "" {
		if _, err := pipeline.ParseTimestamp(c.StartTimestamp); err != nil {
			errs = append(errs, &pipeline.ConfigError{Attr: "start_timestamp", Summary: err.Error(),
				Detail: `use ISO-8601, e.g. "2017-04-04T23:40:37"`})
		}
	}
	return errors.Join(errs...)
}

// Plugin describes the dead_letter_queue input for the registry.
func Plugin() pipeline.Plugin {
	return pipeline.NewInputPlugin(Name, "reads events back from a pipeline's dead-letter queue", "plain", defaults, build)
}

// Input reads a dead-letter queue folder and follows it until stopped.
type Input struct {
	cfg      *Config
	dir      string
	sincedb  string
	log      *slog.Logger
	skipped  *atomic.Int64
	before   *atomic.Int64
	poll     time.Duration
	start    time.Time // start_timestamp
	metaRefs [6]pipeline.FieldRef
}

var _ pipeline.Input = (*Input)(nil)

func build(c *Config, d pipeline.Deps) (pipeline.Input, error) {
	in := &Input{cfg: c, dir: dlq.Dir(c.Path, c.PipelineID), sincedb: c.SincedbPath, log: d.Logger, poll: pollInterval}
	if in.sincedb == "" {
		in.sincedb = filepath.Join(c.Path, c.PipelineID+".offsets")
	}
	if in.log == nil {
		in.log = slog.New(slog.DiscardHandler)
	}
	if c.StartTimestamp != "" {
		ts, err := pipeline.ParseTimestamp(c.StartTimestamp)
		if err != nil {
			return nil, fmt.Errorf("start_timestamp: %w", err)
		}
		in.start = ts.Time()
	}
	m := d.Metrics
	if m == nil {
		m = &pipeline.Metrics{}
	}
	in.skipped, in.before = m.Counter(CounterSkipped), m.Counter(CounterBeforeStart)
	for i, k := range []string{"reason", "plugin_id", "plugin_type", "entry_time", "status", "type"} {
		in.metaRefs[i] = pipeline.MustFieldRef("[@metadata][dead_letter_queue][" + k + "]")
	}
	return in, nil
}

// Run implements pipeline.Input: it emits every record from the saved
// offsets (or the start), then polls for new ones until ctx is done.
func (in *Input) Run(ctx context.Context, out pipeline.Emitter) error {
	var pos dlq.Position
	if in.cfg.CommitOffsets {
		p, err := dlq.LoadPosition(in.sincedb)
		if err != nil {
			return err
		}
		pos = p
	}
	r := dlq.NewReader(in.dir, pos)
	defer r.Close()
	in.log.Info("reading the dead letter queue", "path", in.dir, "from_segment", pos.Segment, "from_offset", pos.Offset)
	com := &committer{path: in.sincedb, dir: in.dir, clean: in.cfg.CleanConsumed, log: in.log}
	var dec pipeline.JSONDecoder
	var lastSkipped int64
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		evs := make([]*pipeline.Event, 0, batchSize)
		var end dlq.Position
		read := 0
		for len(evs) < batchSize && ctx.Err() == nil {
			rec, ok, err := r.Next()
			if err != nil {
				return err
			}
			if !ok {
				break
			}
			read++
			end = rec.End
			if !in.start.IsZero() && rec.Time.Before(in.start) {
				in.before.Add(1)
				continue
			}
			e, err := in.event(&dec, &rec)
			if err != nil {
				in.skipped.Add(1)
				in.log.Warn("dead letter queue record skipped: its event does not decode", "segment", rec.End.Segment, "error", err)
				continue
			}
			evs = append(evs, e)
		}
		if s := r.Skipped(); s != lastSkipped {
			in.skipped.Add(s - lastSkipped)
			in.log.Warn("dead letter queue records skipped: torn by a crash or unreadable (counted)", "path", in.dir, "skipped", s)
			lastSkipped = s
		}
		if read > 0 {
			if in.cfg.CommitOffsets {
				b := com.add(end)
				if len(evs) == 0 {
					com.done(b)
				} else {
					ack := pipeline.NewAck(len(evs), func() { com.done(b) })
					for _, e := range evs {
						e.SetAck(ack)
					}
				}
			}
			if len(evs) > 0 {
				out.EmitAll(evs)
			}
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		timer.Reset(in.poll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil
		case <-timer.C:
		}
	}
}

// event decodes a record's event and adds the [@metadata][dead_letter_queue]
// fields.
func (in *Input) event(dec *pipeline.JSONDecoder, rec *dlq.Record) (*pipeline.Event, error) {
	v, err := dec.DecodeValue(rec.Event)
	if err != nil {
		return nil, err
	}
	m, ok := v.(*pipeline.Map)
	if !ok {
		return nil, fmt.Errorf("the event is %s, not an object", pipeline.TypeName(v))
	}
	e := pipeline.EventFromMap(m)
	vals := [...]any{rec.Reason, rec.PluginID, rec.PluginType, pipeline.NewTimestamp(rec.Time), int64(rec.Status), rec.ErrorType}
	for i, ref := range in.metaRefs {
		if err := e.Set(ref, vals[i]); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// committer saves the offsets of batches in the order they were read, once
// each batch and every batch before it are acknowledged.
type committer struct {
	path  string
	dir   string
	clean bool
	log   *slog.Logger

	mu      sync.Mutex
	pending []*batch
}

type batch struct {
	end  dlq.Position
	done bool
}

func (c *committer) add(end dlq.Position) *batch {
	b := &batch{end: end}
	c.mu.Lock()
	c.pending = append(c.pending, b)
	c.mu.Unlock()
	return b
}

// done marks b acknowledged and saves the offsets as far as every batch
// is. It runs on a pipeline worker.
func (c *committer) done(b *batch) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b.done = true
	var end *dlq.Position
	for len(c.pending) > 0 && c.pending[0].done {
		end = &c.pending[0].end
		c.pending = c.pending[1:]
	}
	if end == nil {
		return
	}
	if err := dlq.SavePosition(c.path, *end); err != nil {
		c.log.Error("cannot save the dead letter queue offsets; a restart will replay", "error", err)
		return
	}
	if c.clean {
		if err := dlq.RemoveBefore(c.dir, *end); err != nil {
			c.log.Warn("clean_consumed failed", "error", err)
		}
	}
}
