package dlq

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Position is where a reader stands: the segment and the byte offset of
// the next record in it.
type Position struct {
	Segment int64 `json:"segment"`
	Offset  int64 `json:"offset"`
}

// Less reports whether p comes before q.
func (p Position) Less(q Position) bool {
	return p.Segment < q.Segment || p.Segment == q.Segment && p.Offset < q.Offset
}

// Record is an entry read back, with where it ends.
type Record struct {
	Entry
	// End is the position after the record (where a reader that commits it
	// resumes).
	End Position
}

// readChunk is the size of one read from a segment.
const readChunk = 64 << 10

// Reader reads a queue folder's records in order, from a position, and
// follows the writes that come after. It is not safe for concurrent use.
type Reader struct {
	dir     string
	pos     Position // of the next record: pending[0] is at pos
	f       *os.File
	pending []byte
	skipped int64
	chunk   []byte
}

// NewReader returns a reader of the folder dir from pos (the zero Position
// is the start of the oldest segment).
func NewReader(dir string, pos Position) *Reader {
	return &Reader{dir: dir, pos: pos}
}

// Skipped returns the number of torn or invalid records skipped so far.
func (r *Reader) Skipped() int64 { return r.skipped }

// Position returns the position of the next record.
func (r *Reader) Position() Position { return r.pos }

// Close releases the open segment.
func (r *Reader) Close() error {
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// Next returns the next complete record. ok is false when there is none
// yet (call again later: the writer may add more).
func (r *Reader) Next() (rec Record, ok bool, err error) {
	for {
		if i := indexNL(r.pending); i >= 0 {
			line := r.pending[:i]
			r.pending = r.pending[i+1:]
			r.pos.Offset += int64(i + 1)
			rec, err := decodeRecord(line)
			if err != nil {
				r.skipped++
				continue
			}
			rec.End = r.pos
			return rec, true, nil
		}
		if r.f == nil {
			opened, err := r.open()
			if err != nil || !opened {
				return Record{}, false, err
			}
		}
		if r.chunk == nil {
			r.chunk = make([]byte, readChunk)
		}
		n, err := r.read()
		if err != nil {
			return Record{}, false, err
		}
		if n > 0 {
			continue
		}
		// At the end of the segment. A writer starts a segment only once
		// the previous one is complete: when a later one exists, read once
		// more (what was written before it was started), then an
		// unterminated line is torn for good.
		later, err := r.later()
		if err != nil || later < 0 {
			return Record{}, false, err
		}
		if n, err = r.read(); err != nil || n > 0 {
			if err != nil {
				return Record{}, false, err
			}
			continue
		}
		if len(r.pending) > 0 {
			r.skipped++
		}
		_ = r.Close()
		r.pending = r.pending[:0]
		r.pos = Position{Segment: later}
	}
}

// read appends what the open segment holds next to pending.
func (r *Reader) read() (int, error) {
	n, err := r.f.Read(r.chunk)
	r.pending = append(r.pending, r.chunk[:n]...)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, fmt.Errorf("dead letter queue: read segment %d: %w", r.pos.Segment, err)
	}
	return n, nil
}

// open opens the segment at r.pos, or the first one after it when it is
// gone (deleted by drop_older or clean_consumed; r.pos moves there).
func (r *Reader) open() (bool, error) {
	nums, err := Segments(r.dir)
	if err != nil {
		return false, err
	}
	for _, n := range nums {
		if n < r.pos.Segment {
			continue
		}
		if n > r.pos.Segment {
			r.pos = Position{Segment: n}
		}
		f, err := os.Open(segmentPath(r.dir, n))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return false, fmt.Errorf("dead letter queue: %w", err)
		}
		if r.pos.Offset > 0 {
			if _, err := f.Seek(r.pos.Offset, io.SeekStart); err != nil {
				f.Close()
				return false, fmt.Errorf("dead letter queue: segment %d: %w", n, err)
			}
		}
		r.f, r.pending = f, r.pending[:0]
		return true, nil
	}
	return false, nil
}

// later returns the first segment after the current one, or -1.
func (r *Reader) later() (int64, error) {
	nums, err := Segments(r.dir)
	if err != nil {
		return -1, err
	}
	for _, n := range nums {
		if n > r.pos.Segment {
			return n, nil
		}
	}
	return -1, nil
}

// RemoveBefore deletes the segments that come wholly before pos (those
// numbered below pos.Segment): clean_consumed.
func RemoveBefore(dir string, pos Position) error {
	nums, err := Segments(dir)
	if err != nil {
		return err
	}
	for _, n := range nums {
		if n >= pos.Segment {
			break
		}
		if err := os.Remove(segmentPath(dir, n)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("dead letter queue: clean_consumed: %w", err)
		}
	}
	return nil
}

// LoadPosition reads a position saved by SavePosition; a missing file is
// the zero position.
func LoadPosition(path string) (Position, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Position{}, nil
	}
	if err != nil {
		return Position{}, fmt.Errorf("dead letter queue offsets: %w", err)
	}
	var p Position
	if err := json.Unmarshal(b, &p); err != nil {
		return Position{}, fmt.Errorf("dead letter queue offsets %s: %w", path, err)
	}
	return p, nil
}

// SavePosition writes pos to path atomically (a temporary file renamed
// over it), as one JSON object: {"segment":3,"offset":1234}.
func SavePosition(path string, pos Position) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("dead letter queue offsets: %w", err)
	}
	b, _ := json.Marshal(pos)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("dead letter queue offsets: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("dead letter queue offsets: %w", err)
	}
	return nil
}

func indexNL(b []byte) int { return bytes.IndexByte(b, '\n') }

func decodeRecord(line []byte) (Record, error) {
	var r record
	if err := json.Unmarshal(line, &r); err != nil {
		return Record{}, err
	}
	if len(r.Event) == 0 || r.Event[0] != '{' {
		return Record{}, errors.New("record without an event object")
	}
	return Record{Entry: Entry{Time: r.Time, PluginType: r.PluginType, PluginID: r.PluginID, Status: r.Status,
		ErrorType: r.ErrorType, Reason: r.Reason, Event: []byte(r.Event)}}, nil
}
