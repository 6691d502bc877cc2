// Package lines splits a byte stream into delimited lines, with a bound on
// the length of a line that holds memory to that bound whatever the sender
// does. It is the framing of the line and json_lines codecs, and stream
// inputs may use it directly.
//
// A Splitter is fed arbitrary blocks of the stream (a read may hold many
// lines and end in the middle of one, or in the middle of a multi-byte
// delimiter) and calls back once per line. A line longer than the limit is
// never held whole: the first limit bytes are handed over marked as
// truncated as soon as the limit is passed, and the rest of that line is
// dropped as it streams by, up to the next delimiter.
package lines

import (
	"bytes"
	"unicode/utf8"
)

// DefaultLimit is the default bound on a line's length in bytes (16 MiB).
const DefaultLimit = 16 << 20

// releaseCap is the buffer capacity above which a Splitter lets its buffer
// go once the line in it has been handed over, so that one long line does
// not pin memory for the rest of a connection's life.
const releaseCap = 64 << 10

// Splitter splits a stream into lines. It belongs to one goroutine.
type Splitter struct {
	delim []byte
	limit int

	// buf holds the partial line carried over from earlier blocks (it may
	// end with the first bytes of a delimiter). While skipping it holds at
	// most len(delim)-1 bytes: a possible start of the next delimiter.
	buf []byte
	// skipping is set after a too-long line was handed over: bytes are
	// dropped up to the next delimiter.
	skipping bool
}

// New returns a Splitter for lines ended by delim (which must not be
// empty) and at most limit bytes long (limit must be positive; callers
// validate both as options).
func New(delim string, limit int) *Splitter {
	if delim == "" {
		panic("lines: empty delimiter")
	}
	if limit <= 0 {
		panic("lines: limit must be positive")
	}
	return &Splitter{delim: []byte(delim), limit: limit}
}

// Buffered returns the number of bytes the Splitter holds between calls,
// which is at most limit+len(delim)-1.
func (s *Splitter) Buffered() int { return len(s.buf) }

// BufferCap returns the capacity of the Splitter's buffer, the memory it
// retains between calls (at most limit+max(len(delim), 4)).
func (s *Splitter) BufferCap() int { return cap(s.buf) }

// Split feeds one block of the stream and calls fn for each line it
// completes, without the delimiter. truncated is true when the line was
// longer than the limit and line holds only its first bytes (up to limit,
// cut back to a character boundary when the cut would split a valid UTF-8
// sequence). line is only valid during the call: it may point into data
// or into the Splitter's buffer.
func (s *Splitter) Split(data []byte, fn func(line []byte, truncated bool)) {
	d := s.delim
	for len(data) > 0 {
		if len(s.buf) > 0 && len(d) > 1 {
			k, st := s.straddle(data)
			switch st {
			case matched:
				if s.skipping {
					s.skipping = false
				} else {
					s.emit(s.buf[:len(s.buf)-k], fn)
				}
				s.reset()
				data = data[len(d)-k:]
				continue
			case partial:
				s.hold(data, fn)
				return
			}
		}
		i := bytes.Index(data, d)
		if i < 0 {
			s.hold(data, fn)
			return
		}
		switch {
		case s.skipping:
			s.skipping = false
		case len(s.buf) == 0:
			s.emit(data[:i], fn)
		default:
			// Only the first bytes up to the limit matter, plus a few to
			// know that the line is too long and where a character ends.
			n := i
			if room := s.limit + utf8.UTFMax - len(s.buf); n > room {
				n = max(room, 0)
			}
			s.append(data[:n])
			s.emit(s.buf, fn)
		}
		s.reset()
		data = data[i+len(d):]
	}
}

// Flush hands over the partial last line at end of stream, if any, and
// resets the Splitter for reuse.
func (s *Splitter) Flush(fn func(line []byte, truncated bool)) {
	if !s.skipping && len(s.buf) > 0 {
		s.emit(s.buf, fn)
	}
	s.skipping = false
	s.reset()
}

type straddleState int

const (
	none straddleState = iota
	matched
	partial
)

// straddle looks for a delimiter that begins in the last bytes of s.buf and
// ends in data. It returns how many delimiter bytes are in s.buf, and
// partial when data is too short to tell yet. Candidates are tried from
// the earliest start on, so the first delimiter in the stream wins.
func (s *Splitter) straddle(data []byte) (int, straddleState) {
	d := s.delim
	for k := min(len(d)-1, len(s.buf)); k >= 1; k-- {
		if !bytes.HasSuffix(s.buf, d[:k]) {
			continue
		}
		rest := d[k:]
		if len(data) >= len(rest) {
			if bytes.HasPrefix(data, rest) {
				return k, matched
			}
			continue
		}
		if bytes.HasPrefix(rest, data) {
			return k, partial
		}
	}
	return 0, none
}

// hold keeps data, which holds no delimiter end, for the next call.
func (s *Splitter) hold(data []byte, fn func([]byte, bool)) {
	keep := len(s.delim) - 1
	if s.skipping {
		s.keepTail(data, keep)
		return
	}
	if len(s.buf)+len(data) <= s.limit+keep {
		s.append(data)
		return
	}
	// More than limit+keep bytes without a delimiter: at least limit+1 of
	// them are line content, so the line is too long. Hand over its start
	// now and skip the rest.
	old := len(s.buf)
	if need := s.limit + utf8.UTFMax - old; need > 0 {
		s.append(data[:min(need, len(data))])
	}
	s.emit(s.buf, fn)
	s.skipping = true
	// Keep what may be the start of the delimiter: the last keep bytes of
	// the old buffer followed by data.
	if len(data) >= keep {
		s.reset()
		s.append(data[len(data)-keep:])
		return
	}
	tail := make([]byte, 0, keep)
	tail = append(tail, s.buf[old-(keep-len(data)):old]...)
	tail = append(tail, data...)
	s.reset()
	s.append(tail)
}

// keepTail appends data to the buffer keeping only its last keep bytes.
func (s *Splitter) keepTail(data []byte, keep int) {
	if len(data) >= keep {
		s.buf = append(s.buf[:0], data[len(data)-keep:]...)
		return
	}
	s.buf = append(s.buf, data...)
	if extra := len(s.buf) - keep; extra > 0 {
		n := copy(s.buf, s.buf[extra:])
		s.buf = s.buf[:n]
	}
}

// append adds b to the buffer, growing it no further than the most it
// can ever need to hold (see maxBuf).
func (s *Splitter) append(b []byte) {
	if need := len(s.buf) + len(b); need > cap(s.buf) {
		c := max(2*cap(s.buf), need, 512)
		c = min(c, max(s.maxBuf(), need))
		nb := make([]byte, len(s.buf), c)
		copy(nb, s.buf)
		s.buf = nb
	}
	s.buf = append(s.buf, b...)
}

// maxBuf is the most the buffer ever holds: a partial line of limit bytes
// and the start of a delimiter between calls, or the first limit bytes of
// a line and the next character's bytes while it is handed over.
func (s *Splitter) maxBuf() int { return s.limit + max(len(s.delim), utf8.UTFMax) }

// reset empties the buffer, letting a large one go.
func (s *Splitter) reset() {
	if cap(s.buf) > releaseCap {
		s.buf = nil
		return
	}
	s.buf = s.buf[:0]
}

// emit hands a line over, truncated when longer than the limit.
func (s *Splitter) emit(line []byte, fn func([]byte, bool)) {
	if len(line) <= s.limit {
		fn(line, false)
		return
	}
	fn(line[:Cut(line, s.limit)], true)
}

// Cut returns where to cut b to keep at most limit bytes: limit, moved back
// by up to three bytes when the cut would split a valid UTF-8 sequence.
func Cut(b []byte, limit int) int {
	if limit >= len(b) {
		return len(b)
	}
	for i := limit; i > 0 && i > limit-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if i == limit {
				return limit
			}
			// b[i:] starts a sequence that the cut at limit splits when it
			// is a valid one reaching past limit.
			if r, size := utf8.DecodeRune(b[i:]); r != utf8.RuneError || size > 1 {
				if i+size > limit {
					return i
				}
			}
			return limit
		}
	}
	return limit
}
