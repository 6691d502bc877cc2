// Package kafka is the kafka input: events from Kafka topics through a
// consumer group, as Logstash's kafka input, on segmentio/kafka-go.
//
// Offsets are committed from acknowledgements only: a record's offset is
// committed once every output accepted the events decoded from it (or a
// filter dropped them), and never past a record still in flight. Commits
// happen every auto_commit_interval_ms, when a rebalance takes partitions
// away and at shutdown. Delivery is at least once: a record in flight when
// its partition moves or the process dies is read again.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/pipeproject/pipe/pipeline"
)

// Name is the plugin's name in configs.
const Name = "kafka"

const (
	// drainTimeout bounds the wait for records in flight to be
	// acknowledged before a partition is given up (rebalance, shutdown).
	drainTimeout = 5 * time.Second
	// retryDelay is the wait after a failed fetch or metadata request.
	retryDelay = time.Second
	// closeTimeout bounds the wait for leaving the group at shutdown.
	closeTimeout = 5 * time.Second
)

// Plugin returns the kafka input's descriptor.
func Plugin() pipeline.Plugin {
	return pipeline.NewInputPlugin(Name, "reads events from Kafka topics (consumer group, commit after acknowledgement)", "plain", defaults, build)
}

// Input is a running kafka input.
type Input struct {
	cfg   *Config
	codec pipeline.Codec
	log   *slog.Logger
	// drain bounds the wait for acknowledgements before giving a
	// partition up.
	drain time.Duration
	meta  metaRefs
}

// metaRefs are the [@metadata][kafka] fields decorate_events sets.
type metaRefs struct {
	topic, group, partition, offset, key, timestamp, headers pipeline.FieldRef
}

func build(c *Config, d pipeline.Deps) (pipeline.Input, error) {
	if d.Codec == nil {
		return nil, errors.New("kafka input: no codec")
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Input{cfg: c, codec: d.Codec, log: log, drain: drainTimeout, meta: metaRefs{
		topic:     pipeline.MustFieldRef("[@metadata][kafka][topic]"),
		group:     pipeline.MustFieldRef("[@metadata][kafka][consumer_group]"),
		partition: pipeline.MustFieldRef("[@metadata][kafka][partition]"),
		offset:    pipeline.MustFieldRef("[@metadata][kafka][offset]"),
		key:       pipeline.MustFieldRef("[@metadata][kafka][key]"),
		timestamp: pipeline.MustFieldRef("[@metadata][kafka][timestamp]"),
		headers:   pipeline.MustFieldRef("[@metadata][kafka][headers]"),
	}}, nil
}

// Run consumes until ctx is done, then commits what was acknowledged
// (waiting a bounded time for records in flight) and leaves the group.
func (in *Input) Run(ctx context.Context, out pipeline.Emitter) error {
	for {
		topics, err := in.resolveTopics(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			in.log.Warn("cannot list topics for topics_pattern", "error", err)
			if !sleep(ctx, retryDelay) {
				return nil
			}
			continue
		}
		if len(topics) == 0 {
			in.log.Info("no topic matches topics_pattern yet", "topics_pattern", in.cfg.TopicsPattern)
			if !sleep(ctx, ms(in.cfg.MetadataMaxAgeMS)) {
				return nil
			}
			continue
		}
		mctx, cancel := context.WithCancelCause(ctx)
		var wg sync.WaitGroup
		for i := range in.cfg.ConsumerThreads {
			clientID := in.cfg.ClientID
			if in.cfg.ConsumerThreads > 1 {
				clientID += "-" + strconv.Itoa(i)
			}
			wg.Go(func() {
				if err := in.runMember(mctx, out, clientID, topics); err != nil {
					cancel(err)
				}
			})
		}
		if in.cfg.pattern != nil {
			wg.Go(func() { in.watchTopics(mctx, topics, cancel) })
		}
		wg.Wait()
		err = context.Cause(mctx)
		cancel(nil)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errTopicsChanged):
			continue
		default:
			return err
		}
	}
}

// errTopicsChanged ends the consumer group when topics_pattern matches a
// different set of topics.
var errTopicsChanged = errors.New("the topics matching topics_pattern changed")

// resolveTopics returns the topics to consume: topics, or those matching
// topics_pattern now.
func (in *Input) resolveTopics(ctx context.Context) ([]string, error) {
	if in.cfg.pattern == nil {
		return slices.Clone(in.cfg.Topics), nil
	}
	var conn *kafkago.Conn
	var err error
	for _, b := range in.cfg.brokers {
		conn, err = in.cfg.dialer(in.cfg.ClientID).DialContext(ctx, "tcp", b)
		if err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("connect to bootstrap servers: %w", err)
	}
	defer conn.Close()
	parts, err := conn.ReadPartitions()
	if err != nil {
		return nil, fmt.Errorf("read topics: %w", err)
	}
	var topics []string
	for _, p := range parts {
		if in.cfg.pattern.MatchString(p.Topic) && !slices.Contains(topics, p.Topic) {
			topics = append(topics, p.Topic)
		}
	}
	slices.Sort(topics)
	return topics, nil
}

// watchTopics matches topics_pattern again every metadata_max_age_ms and
// ends the consumer group when the set of topics changed.
func (in *Input) watchTopics(ctx context.Context, topics []string, cancel context.CancelCauseFunc) {
	t := time.NewTicker(ms(in.cfg.MetadataMaxAgeMS))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now, err := in.resolveTopics(ctx)
		if err != nil {
			if ctx.Err() == nil {
				in.log.Warn("cannot list topics for topics_pattern", "error", err)
			}
			continue
		}
		if len(now) > 0 && !slices.Equal(now, topics) {
			in.log.Info("topics matching topics_pattern changed", "topics", now)
			cancel(errTopicsChanged)
			return
		}
	}
}

// runMember is one consumer thread: a member of the group, consuming one
// generation after the other until ctx is done.
func (in *Input) runMember(ctx context.Context, out pipeline.Emitter, clientID string, topics []string) error {
	c := in.cfg
	start := kafkago.LastOffset
	if c.startFirst || c.startNone {
		start = kafkago.FirstOffset
	}
	debug := kafkago.LoggerFunc(func(msg string, args ...any) { in.log.Debug(fmt.Sprintf(msg, args...)) })
	cg, err := kafkago.NewConsumerGroup(kafkago.ConsumerGroupConfig{
		ID:                    c.GroupID,
		Brokers:               c.brokers,
		Dialer:                c.dialer(clientID),
		Topics:                topics,
		HeartbeatInterval:     ms(c.HeartbeatIntervalMS),
		SessionTimeout:        ms(c.SessionTimeoutMS),
		WatchPartitionChanges: true,
		JoinGroupBackoff:      retryDelay,
		StartOffset:           start,
		Logger:                debug,
		ErrorLogger:           debug,
	})
	if err != nil {
		return fmt.Errorf("kafka consumer group: %w", err)
	}
	// Closing the group as soon as ctx is done keeps its loop from joining
	// a next generation; the current one ends once the partitions have
	// committed (Close waits for them).
	stop := context.AfterFunc(ctx, func() { _ = cg.Close() })
	defer stop()
	defer in.closeGroup(cg)
	for {
		gen, err := cg.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, kafkago.ErrGroupClosed) {
				return nil
			}
			level := slog.LevelWarn
			if errors.Is(err, kafkago.RebalanceInProgress) {
				level = slog.LevelDebug // the group rejoins by itself
			}
			in.log.Log(ctx, level, "consumer group", "group_id", c.GroupID, "error", err)
			continue
		}
		in.log.Debug("partitions assigned", "generation", gen.ID, "assignments", fmt.Sprint(gen.Assignments))
		if err := in.runGeneration(ctx, gen, out); err != nil {
			return err
		}
	}
}

// closeGroup leaves the group, waiting at most closeTimeout: a member
// caught in a join that other members do not complete would otherwise hold
// Run up to the rebalance timeout. Offsets are committed before.
func (in *Input) closeGroup(cg *kafkago.ConsumerGroup) {
	closed := make(chan struct{})
	go func() {
		_ = cg.Close()
		close(closed)
	}()
	t := time.NewTimer(closeTimeout)
	defer t.Stop()
	select {
	case <-closed:
	case <-t.C:
		in.log.Debug("leaving the consumer group takes long; not waiting for it", "group_id", in.cfg.GroupID)
	}
}

// generation is one generation's shared state: its partitions and the
// lock serialising commits on its coordinator connection.
type generation struct {
	gen   *kafkago.Generation
	mu    sync.Mutex
	parts []*partition
}

// commit commits the acknowledged offsets of parts.
func (in *Input) commit(g *generation, parts []*partition) {
	offsets := map[string]map[int]int64{}
	for _, p := range parts {
		if off, ok := p.toCommit(); ok {
			if offsets[p.topic] == nil {
				offsets[p.topic] = map[int]int64{}
			}
			offsets[p.topic][p.id] = off
		}
	}
	if len(offsets) == 0 {
		return
	}
	g.mu.Lock()
	err := g.gen.CommitOffsets(offsets)
	g.mu.Unlock()
	if err != nil {
		in.log.Warn("cannot commit offsets; their records will be read again", "error", err)
		return
	}
	for _, p := range parts {
		if off, ok := offsets[p.topic][p.id]; ok {
			p.markCommitted(off)
		}
	}
}

// runGeneration consumes the partitions of one generation until it ends
// (rebalance) or ctx is done, committing acknowledged offsets.
func (in *Input) runGeneration(ctx context.Context, gen *kafkago.Generation, out pipeline.Emitter) error {
	g := &generation{gen: gen}
	var wg sync.WaitGroup
	var fatal error
	var fatalOnce sync.Once
	for topic, assigned := range gen.Assignments {
		for _, a := range assigned {
			if a.Offset < 0 && in.cfg.startNone {
				fatalOnce.Do(func() {
					fatal = fmt.Errorf("topic %s partition %d has no committed offset for group %s and auto_offset_reset is none",
						topic, a.ID, in.cfg.GroupID)
				})
				continue
			}
			p := newPartition(topic, a.ID)
			g.parts = append(g.parts, p)
			wg.Add(1)
			gen.Start(func(gctx context.Context) {
				defer wg.Done()
				in.consume(ctx, gctx, g, p, a.Offset, out)
			})
		}
	}
	if fatal != nil {
		// Ends the generation: every function started returns.
		gen.Start(func(context.Context) {})
		wg.Wait()
		return fatal
	}
	wg.Add(1)
	gen.Start(func(gctx context.Context) {
		defer wg.Done()
		t := time.NewTicker(ms(in.cfg.AutoCommitIntervalMS))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-gctx.Done():
				return
			case <-t.C:
				in.commit(g, g.parts)
			}
		}
	})
	wg.Wait()
	return nil
}

// consume reads one partition from offset and emits its records in
// batches of up to max_poll_records, until the generation ends or ctx is
// done; then it waits (bounded) for the records in flight and commits.
func (in *Input) consume(ctx, gctx context.Context, g *generation, p *partition, offset int64, out pipeline.Emitter) {
	c := in.cfg
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(gctx, cancel)
	defer stop()

	r := kafkago.NewReader(kafkago.ReaderConfig{
		Brokers:        c.brokers,
		Topic:          p.topic,
		Partition:      p.id,
		Dialer:         c.dialer(c.ClientID),
		MinBytes:       c.FetchMinBytes,
		MaxBytes:       c.FetchMaxBytes,
		MaxWait:        ms(c.FetchMaxWaitMS),
		QueueCapacity:  c.MaxPollRecords,
		IsolationLevel: c.isolation,
		ErrorLogger:    kafkago.LoggerFunc(func(msg string, args ...any) { in.log.Debug(fmt.Sprintf(msg, args...)) }),
	})
	defer r.Close()
	if err := r.SetOffset(offset); err != nil {
		in.log.Error("cannot set the partition's offset", "topic", p.topic, "partition", p.id, "error", err)
		return
	}
	msgs := make(chan kafkago.Message, c.MaxPollRecords)
	var fetcher sync.WaitGroup
	fetcher.Go(func() {
		defer close(msgs)
		for {
			m, err := r.FetchMessage(pctx)
			if err != nil {
				if pctx.Err() != nil {
					return
				}
				in.log.Warn("fetch failed", "topic", p.topic, "partition", p.id, "error", err)
				if !sleep(pctx, retryDelay) {
					return
				}
				continue
			}
			select {
			case msgs <- m:
			case <-pctx.Done():
				return
			}
		}
	})
	dec := in.codec.NewDecoder()
	batch := make([]kafkago.Message, 0, c.MaxPollRecords)
loop:
	for {
		batch = batch[:0]
		select {
		case m, ok := <-msgs:
			if !ok {
				break loop
			}
			batch = append(batch, m)
		case <-pctx.Done():
			break loop
		}
	fill:
		for len(batch) < c.MaxPollRecords {
			select {
			case m, ok := <-msgs:
				if !ok {
					break fill
				}
				batch = append(batch, m)
			default:
				break fill
			}
		}
		if evs := in.decode(dec, p, batch); len(evs) > 0 {
			out.EmitAll(evs)
		}
	}
	cancel()
	fetcher.Wait()
	if !p.waitAcked(in.drain) {
		in.log.Warn("giving a partition up with records in flight; they will be read again",
			"topic", p.topic, "partition", p.id, "in_flight", p.inFlightCount())
	}
	in.commit(g, []*partition{p})
}

// decode turns records into events, each record's events in one
// acknowledgement group, and tracks the records.
func (in *Input) decode(dec pipeline.Decoder, p *partition, batch []kafkago.Message) []*pipeline.Event {
	var evs []*pipeline.Event
	for i := range batch {
		m := &batch[i]
		first := len(evs)
		collect := func(e *pipeline.Event) { evs = append(evs, e) }
		dec.Decode(m.Value, collect)
		dec.Flush(collect)
		rec := p.track(m.Offset)
		mine := evs[first:]
		if len(mine) == 0 {
			p.ack(rec)
			continue
		}
		a := pipeline.NewAck(len(mine), func() { p.ack(rec) })
		for _, e := range mine {
			e.SetAck(a)
			in.decorate(e, m)
		}
	}
	return evs
}

// decorate sets the [@metadata][kafka] fields of decorate_events.
func (in *Input) decorate(e *pipeline.Event, m *kafkago.Message) {
	if in.cfg.decorate == decorateNone {
		return
	}
	r := &in.meta
	_ = e.Set(r.topic, m.Topic)
	_ = e.Set(r.group, in.cfg.GroupID)
	_ = e.Set(r.partition, int64(m.Partition))
	_ = e.Set(r.offset, m.Offset)
	if m.Key != nil {
		_ = e.Set(r.key, string(m.Key))
	} else {
		_ = e.Set(r.key, nil)
	}
	_ = e.Set(r.timestamp, m.Time.UnixMilli())
	if in.cfg.decorate == decorateExtended && len(m.Headers) > 0 {
		h := pipeline.NewMap(len(m.Headers))
		for _, kv := range m.Headers {
			if utf8.Valid(kv.Value) {
				h.Set(kv.Key, string(kv.Value))
			}
		}
		_ = e.Set(r.headers, h)
	}
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
