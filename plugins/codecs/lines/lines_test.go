package lines

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

type got struct {
	line      string
	truncated bool
}

func (g got) String() string {
	if g.truncated {
		return fmt.Sprintf("%q(truncated)", g.line)
	}
	return fmt.Sprintf("%q", g.line)
}

// feed runs data through a new Splitter in the given chunk sizes (cycled)
// and flushes it.
func feed(t *testing.T, delim string, limit int, data []byte, chunks []int) []got {
	t.Helper()
	s := New(delim, limit)
	var out []got
	fn := func(line []byte, truncated bool) { out = append(out, got{string(line), truncated}) }
	for i, c := 0, 0; i < len(data); c++ {
		n := len(data) - i
		if len(chunks) > 0 {
			n = min(n, chunks[c%len(chunks)])
		}
		s.Split(data[i:i+n], fn)
		i += n
	}
	s.Flush(fn)
	return out
}

// reference splits a whole input at once: the behaviour every chunking
// must reproduce.
func reference(delim string, limit int, data []byte) []got {
	var out []got
	rest := data
	for len(rest) > 0 {
		i := bytes.Index(rest, []byte(delim))
		var line []byte
		if i < 0 {
			line, rest = rest, nil
		} else {
			line, rest = rest[:i], rest[i+len(delim):]
		}
		if len(line) > limit {
			out = append(out, got{string(line[:Cut(line, limit)]), true})
		} else {
			out = append(out, got{string(line), false})
		}
	}
	return out
}

func equal(a, b []got) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		delim string
		limit int
		in    string
		want  []got
	}{
		{"lines", "\n", 100, "a\nbb\nccc\n", []got{{"a", false}, {"bb", false}, {"ccc", false}}},
		{"partial last line flushed", "\n", 100, "a\nbb", []got{{"a", false}, {"bb", false}}},
		{"empty lines kept", "\n", 100, "\n\na\n", []got{{"", false}, {"", false}, {"a", false}}},
		{"carriage return kept", "\n", 100, "a\r\nb\r\n", []got{{"a\r", false}, {"b\r", false}}},
		{"crlf delimiter", "\r\n", 100, "a\r\nb\nc\r\n", []got{{"a", false}, {"b\nc", false}}},
		{"pipe delimiter", "|", 100, "line1|line2\nx|line3|", []got{{"line1", false}, {"line2\nx", false}, {"line3", false}}},
		{"newline not a delimiter", "|", 100, "a\nb\n", []got{{"a\nb\n", false}}},
		{"overlapping delimiter", "aa", 100, "baaab", []got{{"b", false}, {"ab", false}}},
		{"delimiter prefix at end", "ab", 100, "xa", []got{{"xa", false}}},
		{"exactly the limit", "\n", 3, "abc\nabcd\n", []got{{"abc", false}, {"abc", true}}},
		{"too long then normal", "\n", 4, "0123456789\nok\n", []got{{"0123", true}, {"ok", false}}},
		{"too long last line", "\n", 4, "ok\n0123456789", []got{{"ok", false}, {"0123", true}}},
		{"limit with crlf", "\r\n", 3, "abc\r\nabcd\r\n", []got{{"abc", false}, {"abc", true}}},
		{"cut on a character boundary", "\n", 4, "ab\u00e9\u00e9\n", []got{{"ab\u00e9", true}}},
		{"cut before a 4-byte character", "\n", 5, "ab\U0001F600x\n", []got{{"ab", true}}},
		{"invalid bytes cut at the limit", "\n", 2, "\xff\xff\xff\n", []got{{"\xff\xff", true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if ref := reference(tt.delim, tt.limit, []byte(tt.in)); !equal(ref, tt.want) {
				t.Fatalf("reference = %v, want %v", ref, tt.want)
			}
			for size := 1; size <= len(tt.in); size++ {
				if out := feed(t, tt.delim, tt.limit, []byte(tt.in), []int{size}); !equal(out, tt.want) {
					t.Fatalf("chunks of %d: got %v, want %v", size, out, tt.want)
				}
			}
			// Every split into two blocks.
			for i := 0; i <= len(tt.in); i++ {
				if out := feed(t, tt.delim, tt.limit, []byte(tt.in), []int{i, len(tt.in)}); !equal(out, tt.want) {
					t.Fatalf("split at %d: got %v, want %v", i, out, tt.want)
				}
			}
		})
	}
}

// TestSplitEveryChunking feeds short inputs in every possible sequence of
// block sizes and compares with splitting the whole input at once.
func TestSplitEveryChunking(t *testing.T) {
	inputs := []struct{ delim, in string }{
		{"\n", "ab\n\ncd\nef"},
		{"\r\n", "a\r\r\nb\r\n\r"},
		{"aba", "xabababy"},
		{"\n", "0123456789\nx\n"},
	}
	for _, in := range inputs {
		for _, limit := range []int{1, 2, 3, 5, 100} {
			t.Run(fmt.Sprintf("%q/%q/%d", in.delim, in.in, limit), func(t *testing.T) {
				want := reference(in.delim, limit, []byte(in.in))
				n := len(in.in)
				// Each bit of mask says whether a block ends after that byte.
				for mask := 0; mask < 1<<(n-1); mask++ {
					var sizes []int
					last := 0
					for i := 1; i < n; i++ {
						if mask&(1<<(i-1)) != 0 {
							sizes = append(sizes, i-last)
							last = i
						}
					}
					sizes = append(sizes, n-last)
					if out := feed(t, in.delim, limit, []byte(in.in), sizes); !equal(out, want) {
						t.Fatalf("blocks %v: got %v, want %v", sizes, out, want)
					}
				}
			})
		}
	}
}

// TestSplitRandom compares random inputs, delimiters, limits and chunkings
// with the reference.
func TestSplitRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("ab\n\r\xc3\xa9")
	delims := []string{"\n", "\r\n", "a", "ab", "aa", "aba", "\n\n\n"}
	for iter := 0; iter < 3000; iter++ {
		data := make([]byte, rng.IntN(60))
		for i := range data {
			data[i] = alphabet[rng.IntN(len(alphabet))]
		}
		delim := delims[rng.IntN(len(delims))]
		limit := 1 + rng.IntN(12)
		sizes := make([]int, 1+rng.IntN(4))
		for i := range sizes {
			sizes[i] = 1 + rng.IntN(8)
		}
		want := reference(delim, limit, data)
		if out := feed(t, delim, limit, data, sizes); !equal(out, want) {
			t.Fatalf("delim %q limit %d blocks %v input %q:\n got %v\nwant %v", delim, limit, sizes, data, out, want)
		}
	}
}

// TestSplitNeverHoldsLongLine feeds a line of three times the limit in small
// blocks and checks that the retained buffer stays within limit + a block.
func TestSplitNeverHoldsLongLine(t *testing.T) {
	for _, delim := range []string{"\n", "\r\n", "<END>"} {
		t.Run(fmt.Sprintf("%q", delim), func(t *testing.T) {
			const limit, block = 1000, 7
			in := strings.Repeat("x", 3*limit) + delim + "next" + delim
			s := New(delim, limit)
			var out []got
			fn := func(line []byte, truncated bool) { out = append(out, got{string(line), truncated}) }
			for i := 0; i < len(in); i += block {
				s.Split([]byte(in[i:min(i+block, len(in))]), fn)
				if s.Buffered() > limit+block {
					t.Fatalf("after %d bytes the splitter holds %d bytes", i+block, s.Buffered())
				}
				if s.BufferCap() > limit+block {
					t.Fatalf("after %d bytes the splitter's buffer has capacity %d", i+block, s.BufferCap())
				}
			}
			s.Flush(fn)
			want := []got{{strings.Repeat("x", limit), true}, {"next", false}}
			if !equal(out, want) {
				t.Fatalf("got %v, want %v", out, want)
			}
		})
	}
}

func TestReleasesLargeBuffer(t *testing.T) {
	s := New("\n", 1<<20)
	s.Split(bytes.Repeat([]byte("x"), 200<<10), func([]byte, bool) {})
	s.Split([]byte("\n"), func([]byte, bool) {})
	if c := s.BufferCap(); c > releaseCap {
		t.Fatalf("buffer of capacity %d kept after the line was handed over", c)
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  int
	}{
		{"abc", 5, 3},
		{"abcdef", 3, 3},
		{"a\u00e9b", 2, 1},             // é is 2 bytes at 1..2
		{"a\u00e9b", 3, 3},             // cut after é
		{"\u65e5\u672c", 4, 3},         // 3-byte characters
		{"ab\U0001F600", 5, 2},         // 4-byte character at 2..5
		{"ab\U0001F600", 6, 6},         // whole
		{"\x80\x80\x80\x80\x80", 2, 2}, // continuation bytes only
		{"a\xe6\x97", 2, 2},            // truncated sequence in the input itself
	}
	for _, tt := range tests {
		if got := Cut([]byte(tt.in), tt.limit); got != tt.want {
			t.Errorf("Cut(%q, %d) = %d, want %d", tt.in, tt.limit, got, tt.want)
		}
	}
}

func BenchmarkSplit(b *testing.B) {
	line := `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing", "host": "vm"}` + "\n"
	block := []byte(strings.Repeat(line, (64<<10)/len(line)))
	// End the block in the middle of a line, as reads do.
	block = append(block, line[:40]...)
	s := New("\n", DefaultLimit)
	n := 0
	fn := func([]byte, bool) { n++ }
	b.SetBytes(int64(len(block)))
	b.ReportAllocs()
	for b.Loop() {
		s.Split(block, fn)
	}
}
