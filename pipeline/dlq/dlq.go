// Package dlq is pipe's dead-letter queue: a per-pipeline folder of
// append-only segment files holding the events an output could not deliver
// and will never be able to (Elasticsearch's 400 and 404 item errors), with
// the error, the plugin that gave up and the time. The dead_letter_queue
// input reads them back so that they can be fixed and replayed.
//
// The package knows bytes, not events: an entry carries the event as one
// JSON object (with its @metadata), so that it depends on no other package
// of pipe and the engine can own the writer.
//
// # Folder and segments
//
// Each pipeline writes to <path>/<pipeline id>/ (Config.Path, Dir). The
// folder holds segment files named <n>.log, n = 1, 2, 3, ... (decimal, no
// padding; readers order them by number). A writer never appends to a
// segment that existed when it opened the folder: it starts the segment
// after the highest one found, so a record torn by a crash is never
// followed by more records in its segment. A segment is closed and the next
// one started when it reaches the segment size (10 MiB by default; a single
// larger record gets a segment to itself), and when it has seen no write
// for flush_interval (so that an idle queue's last segment is final and
// clean_consumed can remove it once read).
//
// # Records
//
// A segment is a sequence of records, one per line: a JSON object, UTF-8,
// ended by "\n" (JSON escapes every newline inside strings, so a record
// never spans lines). Its keys, in this order:
//
//	time         RFC 3339 UTC time with nanoseconds the entry was written
//	plugin_type  the plugin's name ("elasticsearch")
//	plugin_id    the plugin's id ("elasticsearch_1" or its id option)
//	status       the HTTP status of the refusal (0 when there is none)
//	type         the error type ("mapper_parsing_exception"; may be "")
//	reason       the error message
//	event        the event as one JSON object, @timestamp and @metadata kept
//
// For example (one line):
//
//	{"time":"2026-11-25T01:02:03.123456789Z","plugin_type":"elasticsearch","plugin_id":"es","status":400,"type":"document_parsing_exception","reason":"failed to parse field [a]","event":{"@timestamp":"2026-11-25T01:02:03.000Z","a":{"b":1},"@metadata":{"k":"v"}}}
//
// Readers accept unknown keys. A line that does not end in "\n" at the end
// of a segment that is followed by another one is a record torn by a crash:
// readers skip it and count it; so is a line that is not a valid record. At
// the end of the newest segment an unterminated line is a write in progress
// and readers wait for its end.
//
// # Durability and size
//
// Writer.Write appends the records of one call with a single write and
// fsyncs the segment before it returns: once it returned nil, the entries
// survive a crash, and the output that called it may acknowledge them. Writes
// are serialised by a mutex (safe for concurrent use by every worker).
//
// max_bytes bounds the sum of the segments' sizes. When an entry would
// exceed it, storage_policy decides: drop_newer drops the entry, drop_older
// deletes the oldest segments until it fits (the segment being written is
// closed and deleted too when it alone is in the way). Dropped entries are
// counted (Stats) and logged at most once per 10 s; an entry larger than
// max_bytes is always dropped. A dropped entry is not an error: Write
// returns nil, as Logstash does.
//
// Only one process may write a folder at a time (pipe does not lock it);
// any number of readers may follow it.
package dlq

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Storage policies (Logstash's dead_letter_queue.storage_policy).
const (
	DropNewer = "drop_newer"
	DropOlder = "drop_older"
)

// Defaults of Config (Logstash's, except the path: see DefaultPath).
const (
	// DefaultPath is relative to the working directory, as Logstash's
	// path.data ("data") is relative to its home.
	DefaultPath                = "data/dead_letter_queue"
	DefaultMaxBytes            = 1 << 30
	DefaultFlushIntervalMillis = 5000
	// DefaultSegmentBytes is the size at which a segment is closed.
	DefaultSegmentBytes = 10 << 20
)

// segmentExt ends every segment's file name.
const segmentExt = ".log"

// logEvery is the least time between two log lines about dropped entries.
const logEvery = 10 * time.Second

// Config is the dead_letter_queue block of the pipeline settings.
type Config struct {
	// Enable turns the queue on (false).
	Enable bool
	// Path is the folder holding one folder per pipeline
	// (DefaultPath).
	Path string
	// MaxBytes bounds the size of a pipeline's segments (1 GiB).
	MaxBytes int64
	// StoragePolicy is DropNewer (default) or DropOlder.
	StoragePolicy string
	// FlushIntervalMillis: a segment idle that long is closed (5000).
	FlushIntervalMillis int
}

// WithDefaults returns c with every unset value at its default.
func (c Config) WithDefaults() Config {
	if c.Path == "" {
		c.Path = DefaultPath
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.StoragePolicy == "" {
		c.StoragePolicy = DropNewer
	}
	if c.FlushIntervalMillis <= 0 {
		c.FlushIntervalMillis = DefaultFlushIntervalMillis
	}
	return c
}

// Dir returns the folder of a pipeline's queue: <path>/<pipeline id>.
func Dir(path, pipelineID string) string { return filepath.Join(path, pipelineID) }

// ParseBytes reads a size: a number of bytes ("1024") or a number with a
// unit as Logstash writes them ("1024mb", "1gb", "512kb", "10b"; units are
// powers of 1024, case-insensitive, an optional space before them).
func ParseBytes(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("size %q: want a number of bytes, or a number and kb, mb, gb or tb", s)
	}
	n, err := strconv.ParseInt(t[:i], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	var mult int64
	switch strings.TrimSpace(t[i:]) {
	case "", "b":
		mult = 1
	case "k", "kb", "kib":
		mult = 1 << 10
	case "m", "mb", "mib":
		mult = 1 << 20
	case "g", "gb", "gib":
		mult = 1 << 30
	case "t", "tb", "tib":
		mult = 1 << 40
	default:
		return 0, fmt.Errorf("size %q: unknown unit %q: use b, kb, mb, gb or tb", s, strings.TrimSpace(t[i:]))
	}
	if n > (1<<63-1)/mult {
		return 0, fmt.Errorf("size %q: too large", s)
	}
	return n * mult, nil
}

// Entry is one event an output gave up on.
type Entry struct {
	// Time is when the entry was written (Write sets it when zero).
	Time time.Time
	// PluginType and PluginID name the plugin ("elasticsearch", "es").
	PluginType string
	PluginID   string
	// Status is the HTTP status of the refusal, 0 when there is none.
	Status int
	// ErrorType is the error's type ("mapper_parsing_exception").
	ErrorType string
	// Reason is the error message.
	Reason string
	// Event is the event as one JSON object, with @metadata.
	Event []byte
}

// record is an Entry as a line holds it.
type record struct {
	Time       time.Time       `json:"time"`
	PluginType string          `json:"plugin_type"`
	PluginID   string          `json:"plugin_id"`
	Status     int             `json:"status"`
	ErrorType  string          `json:"type"`
	Reason     string          `json:"reason"`
	Event      json.RawMessage `json:"event"`
}

// appendRecord appends e as one line.
func appendRecord(dst []byte, e *Entry) ([]byte, error) {
	ev := e.Event
	if len(ev) == 0 || bytes.IndexByte(ev, '\n') >= 0 || bytes.IndexByte(ev, '\r') >= 0 {
		var b bytes.Buffer
		if err := json.Compact(&b, ev); err != nil {
			return dst, fmt.Errorf("event is not JSON: %w", err)
		}
		ev = b.Bytes()
	}
	r := record{Time: e.Time.UTC(), PluginType: e.PluginType, PluginID: e.PluginID, Status: e.Status,
		ErrorType: e.ErrorType, Reason: e.Reason, Event: ev}
	b, err := json.Marshal(&r)
	if err != nil {
		return dst, fmt.Errorf("encode record: %w", err)
	}
	dst = append(dst, b...)
	return append(dst, '\n'), nil
}

// Stats are a writer's counters.
type Stats struct {
	// WrittenEvents and WrittenBytes count records written.
	WrittenEvents, WrittenBytes int64
	// DroppedEvents and DroppedBytes count entries dropped by the storage
	// policy (drop_newer) or too large for max_bytes.
	DroppedEvents, DroppedBytes int64
	// DeletedSegments and DeletedBytes count segments drop_older removed.
	DeletedSegments, DeletedBytes int64
}

// Options tune a Writer.
type Options struct {
	// SegmentBytes is the size at which a segment is closed
	// (DefaultSegmentBytes).
	SegmentBytes int64
	// Logger receives the warnings about dropped entries (default: none).
	Logger *slog.Logger
	// Now is the clock (time.Now).
	Now func() time.Time
}

// Writer appends entries to a pipeline's queue folder. Safe for concurrent
// use.
type Writer struct {
	dir      string
	cfg      Config
	segBytes int64
	log      *slog.Logger
	now      func() time.Time
	idle     time.Duration

	mu        sync.Mutex
	opened    bool
	closed    bool
	segs      []segment // closed segments, oldest first
	cur       *os.File  // nil until the first write after a roll
	curNum    int64
	curSize   int64
	total     int64 // bytes of every segment, the current one included
	lastWrite time.Time
	lastLog   time.Time
	buf       []byte

	written, writtenBytes, dropped, droppedBytes, deleted, deletedBytes atomic.Int64
}

type segment struct {
	num  int64
	size int64
}

// New returns a writer of the queue folder dir. It does no I/O: the first
// Write creates the folder if missing and starts a new segment after the
// existing ones.
func New(dir string, cfg Config, opts Options) (*Writer, error) {
	cfg = cfg.WithDefaults()
	if cfg.StoragePolicy != DropNewer && cfg.StoragePolicy != DropOlder {
		return nil, fmt.Errorf("dead letter queue: unknown storage_policy %q (use %q or %q)", cfg.StoragePolicy, DropNewer, DropOlder)
	}
	w := &Writer{dir: dir, cfg: cfg, segBytes: opts.SegmentBytes, log: opts.Logger, now: opts.Now,
		idle: time.Duration(cfg.FlushIntervalMillis) * time.Millisecond}
	if w.segBytes <= 0 {
		w.segBytes = DefaultSegmentBytes
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.now == nil {
		w.now = time.Now
	}
	return w, nil
}

// open creates the folder and finds the existing segments. Called with mu.
func (w *Writer) open() error {
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		return fmt.Errorf("dead letter queue: %w", err)
	}
	nums, err := Segments(w.dir)
	if err != nil {
		return err
	}
	for _, n := range nums {
		fi, err := os.Stat(segmentPath(w.dir, n))
		if err != nil {
			continue // removed meanwhile (clean_consumed)
		}
		w.segs = append(w.segs, segment{num: n, size: fi.Size()})
		w.total += fi.Size()
		w.curNum = n
	}
	w.opened = true
	return nil
}

// Dir returns the writer's folder.
func (w *Writer) Dir() string { return w.dir }

// Stats returns the writer's counters.
func (w *Writer) Stats() Stats {
	return Stats{WrittenEvents: w.written.Load(), WrittenBytes: w.writtenBytes.Load(),
		DroppedEvents: w.dropped.Load(), DroppedBytes: w.droppedBytes.Load(),
		DeletedSegments: w.deleted.Load(), DeletedBytes: w.deletedBytes.Load()}
}

// Write appends the entries and fsyncs them before it returns. Entries the
// storage policy drops are counted, not reported: nil means every entry is
// either safely written or dropped by policy. An error (disk full, I/O)
// means none of the entries not yet synced may be taken as written.
func (w *Writer) Write(entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return errors.New("dead letter queue: write after close")
	}
	if !w.opened {
		if err := w.open(); err != nil {
			return err
		}
	}
	now := w.now()
	if w.cur != nil && now.Sub(w.lastWrite) >= w.idle {
		if err := w.roll(); err != nil {
			return err
		}
	}
	w.lastWrite = now
	buf := w.buf[:0]
	var pending int // records in buf
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := w.append(buf); err != nil {
			return err
		}
		w.written.Add(int64(pending))
		w.writtenBytes.Add(int64(len(buf)))
		buf, pending = buf[:0], 0
		return nil
	}
	for i := range entries {
		e := entries[i]
		if e.Time.IsZero() {
			e.Time = now
		}
		start := len(buf)
		var err error
		buf, err = appendRecord(buf, &e)
		if err != nil {
			return fmt.Errorf("dead letter queue: %w", err)
		}
		n := int64(len(buf) - start)
		if n > w.cfg.MaxBytes {
			buf = buf[:start]
			w.drop(n, "the entry is larger than max_bytes")
			continue
		}
		if w.total+int64(start)+n > w.cfg.MaxBytes {
			rec := append([]byte(nil), buf[start:]...)
			buf = buf[:start]
			if w.cfg.StoragePolicy == DropNewer {
				w.drop(n, "the queue reached max_bytes (storage_policy drop_newer)")
				continue
			}
			if err := flush(); err != nil {
				return err
			}
			if err := w.makeRoom(n); err != nil {
				return err
			}
			start = 0
			buf = append(buf, rec...)
		}
		if w.curSize+int64(start)+n > w.segBytes && w.curSize+int64(start) > 0 {
			rec := append([]byte(nil), buf[start:]...)
			buf = buf[:start]
			if err := flush(); err != nil {
				return err
			}
			if err := w.roll(); err != nil {
				return err
			}
			buf = append(buf, rec...)
		}
		pending++
	}
	err := flush()
	if cap(buf) <= 1<<20 {
		w.buf = buf[:0]
	}
	return err
}

// drop counts a dropped entry and logs it, rate-limited. Called with mu.
func (w *Writer) drop(n int64, why string) {
	w.dropped.Add(1)
	w.droppedBytes.Add(n)
	if now := w.now(); now.Sub(w.lastLog) >= logEvery {
		w.lastLog = now
		w.log.Warn("dead letter queue: entry dropped: "+why+" (logged at most every 10 s; counted)",
			"path", w.dir, "max_bytes", w.cfg.MaxBytes, "dropped_events", w.dropped.Load())
	}
}

// makeRoom deletes the oldest segments (drop_older) until n more bytes fit.
// Called with mu.
func (w *Writer) makeRoom(n int64) error {
	for w.total+n > w.cfg.MaxBytes {
		if len(w.segs) == 0 {
			if w.cur == nil || w.curSize == 0 {
				return nil // cannot happen: n <= MaxBytes
			}
			if err := w.roll(); err != nil {
				return err
			}
			continue
		}
		s := w.segs[0]
		if err := os.Remove(segmentPath(w.dir, s.num)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("dead letter queue: drop_older: %w", err)
		}
		w.segs = w.segs[1:]
		w.total -= s.size
		w.deleted.Add(1)
		w.deletedBytes.Add(s.size)
		if now := w.now(); now.Sub(w.lastLog) >= logEvery {
			w.lastLog = now
			w.log.Warn("dead letter queue: oldest segment deleted: the queue reached max_bytes (storage_policy drop_older; logged at most every 10 s; counted)",
				"path", w.dir, "max_bytes", w.cfg.MaxBytes, "segment", s.num)
		}
	}
	return nil
}

// append writes b to the current segment (opening the next one if none is
// open) and syncs it. Called with mu.
func (w *Writer) append(b []byte) error {
	if w.cur == nil {
		w.curNum++
		f, err := os.OpenFile(segmentPath(w.dir, w.curNum), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
		if err != nil {
			return fmt.Errorf("dead letter queue: %w", err)
		}
		w.cur, w.curSize = f, 0
		if err := syncDir(w.dir); err != nil {
			return err
		}
	}
	n, err := w.cur.Write(b)
	w.curSize += int64(n)
	w.total += int64(n)
	if err != nil {
		return fmt.Errorf("dead letter queue: write segment %d: %w", w.curNum, err)
	}
	if err := w.cur.Sync(); err != nil {
		return fmt.Errorf("dead letter queue: sync segment %d: %w", w.curNum, err)
	}
	return nil
}

// roll closes the current segment; the next write opens a new one. Called
// with mu.
func (w *Writer) roll() error {
	if w.cur == nil {
		return nil
	}
	err := w.cur.Close()
	w.segs = append(w.segs, segment{num: w.curNum, size: w.curSize})
	w.cur, w.curSize = nil, 0
	if err != nil {
		return fmt.Errorf("dead letter queue: close segment %d: %w", w.curNum, err)
	}
	return nil
}

// Close closes the current segment. Writes after Close fail.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	return w.roll()
}

// syncDir makes a new segment's name durable. Some file systems refuse to
// sync a folder; the segment's own sync still holds its data then.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("dead letter queue: %w", err)
	}
	_ = d.Sync()
	return d.Close()
}

func segmentPath(dir string, n int64) string {
	return filepath.Join(dir, strconv.FormatInt(n, 10)+segmentExt)
}

// Segments returns the numbers of the segments in dir, in order. A missing
// folder has none.
func Segments(dir string) ([]int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("dead letter queue: %w", err)
	}
	var nums []int64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), segmentExt)
		if !ok || e.IsDir() {
			continue
		}
		n, err := strconv.ParseInt(name, 10, 64)
		if err != nil || n <= 0 {
			continue
		}
		nums = append(nums, n)
	}
	slices.Sort(nums)
	return nums, nil
}
