package dlq

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

func entry(i int) Entry {
	return Entry{PluginType: "elasticsearch", PluginID: "es", Status: 400, ErrorType: "mapper_parsing_exception",
		Reason: "failed to parse\nfield", Event: []byte(fmt.Sprintf(`{"n":%d,"@metadata":{"k":"v"}}`, i))}
}

func mustNew(t *testing.T, dir string, cfg Config, opts Options) *Writer {
	t.Helper()
	w, err := New(dir, cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// readAll reads every complete record of dir from pos.
func readAll(t *testing.T, dir string, pos Position) ([]Record, *Reader) {
	t.Helper()
	r := NewReader(dir, pos)
	t.Cleanup(func() { _ = r.Close() })
	var out []Record
	for {
		rec, ok, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out, r
		}
		out = append(out, rec)
	}
}

func TestRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "main")
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	w := mustNew(t, dir, Config{}, Options{Now: func() time.Time { return at }})
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("New touched the disk: %v", err)
	}
	// Pretty-printed event JSON is compacted onto the record's line.
	pretty := Entry{PluginID: "x", Event: []byte("{\n  \"a\": 1\n}")}
	if err := w.Write(entry(1), entry(2), pretty); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "1.log"))
	if n := bytes.Count(b, []byte("\n")); n != 3 {
		t.Fatalf("segment holds %d lines:\n%s", n, b)
	}
	recs, r := readAll(t, dir, Position{})
	if len(recs) != 3 || r.Skipped() != 0 {
		t.Fatalf("%d records, %d skipped", len(recs), r.Skipped())
	}
	got := recs[0]
	if !got.Time.Equal(at) || got.PluginType != "elasticsearch" || got.PluginID != "es" || got.Status != 400 ||
		got.ErrorType != "mapper_parsing_exception" || got.Reason != "failed to parse\nfield" ||
		string(got.Event) != `{"n":1,"@metadata":{"k":"v"}}` {
		t.Errorf("record %+v", got)
	}
	if string(recs[2].Event) != `{"a":1}` {
		t.Errorf("pretty event %s", recs[2].Event)
	}
	if recs[2].End != (Position{Segment: 1, Offset: int64(len(b))}) {
		t.Errorf("end %+v, file %d bytes", recs[2].End, len(b))
	}
	// From a saved position only what follows is read.
	rest, _ := readAll(t, dir, recs[0].End)
	if len(rest) != 2 || string(rest[0].Event) != string(recs[1].Event) {
		t.Errorf("from %+v: %d records", recs[0].End, len(rest))
	}
	if st := w.Stats(); st.WrittenEvents != 3 || st.WrittenBytes != int64(len(b)) || st.DroppedEvents != 0 {
		t.Errorf("stats %+v", st)
	}
	if err := w.Write(entry(3)); err == nil {
		t.Error("write after close succeeded")
	}
	if _, err := New(dir, Config{StoragePolicy: "drop_random"}, Options{}); err == nil {
		t.Error("unknown storage policy accepted")
	}
	if err := (&Writer{}).Write(Entry{Event: []byte("nope")}); err == nil {
		t.Error("write to a zero writer succeeded")
	}
}

func TestSegmentsRollAndReopenStartsANewSegment(t *testing.T) {
	dir := t.TempDir()
	w := mustNew(t, dir, Config{}, Options{SegmentBytes: 400})
	for i := range 20 {
		if err := w.Write(entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = w.Close()
	nums, _ := Segments(dir)
	if len(nums) < 4 {
		t.Fatalf("segments %v", nums)
	}
	for _, n := range nums {
		fi, _ := os.Stat(segmentPath(dir, n))
		if fi.Size() > 400 {
			t.Errorf("segment %d has %d bytes", n, fi.Size())
		}
	}
	// A second writer never appends to an existing segment.
	w2 := mustNew(t, dir, Config{}, Options{SegmentBytes: 400})
	if err := w2.Write(entry(20)); err != nil {
		t.Fatal(err)
	}
	_ = w2.Close()
	nums2, _ := Segments(dir)
	if len(nums2) != len(nums)+1 || nums2[len(nums2)-1] != nums[len(nums)-1]+1 {
		t.Errorf("segments after reopen %v (before %v)", nums2, nums)
	}
	recs, _ := readAll(t, dir, Position{})
	if len(recs) != 21 {
		t.Fatalf("%d records", len(recs))
	}
	for i, r := range recs {
		if want := fmt.Sprintf(`{"n":%d,`, i); !bytes.HasPrefix(r.Event, []byte(want)) {
			t.Fatalf("record %d is %s", i, r.Event)
		}
	}
}

func TestIdleSegmentIsClosed(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1000, 0)
	w := mustNew(t, dir, Config{FlushIntervalMillis: 1000}, Options{Now: func() time.Time { return now }})
	_ = w.Write(entry(1))
	now = now.Add(500 * time.Millisecond)
	_ = w.Write(entry(2))
	now = now.Add(2 * time.Second)
	_ = w.Write(entry(3))
	_ = w.Close()
	if nums, _ := Segments(dir); len(nums) != 2 {
		t.Errorf("segments %v, want 2", nums)
	}
}

func recordSize(t *testing.T) int64 {
	b, err := appendRecord(nil, &Entry{Time: time.Unix(0, 0), PluginType: "elasticsearch", PluginID: "es", Status: 400,
		ErrorType: "mapper_parsing_exception", Reason: "failed to parse\nfield", Event: entry(1).Event})
	if err != nil {
		t.Fatal(err)
	}
	return int64(len(b))
}

func TestMaxBytesDropNewer(t *testing.T) {
	dir := t.TempDir()
	size := recordSize(t)
	w := mustNew(t, dir, Config{MaxBytes: 3*size + size/2}, Options{Now: func() time.Time { return time.Unix(0, 0) }})
	for i := range 5 {
		if err := w.Write(entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = w.Close()
	recs, _ := readAll(t, dir, Position{})
	if len(recs) != 3 || !bytes.HasPrefix(recs[0].Event, []byte(`{"n":0,`)) {
		t.Fatalf("%d records kept", len(recs))
	}
	if st := w.Stats(); st.WrittenEvents != 3 || st.DroppedEvents != 2 || st.DroppedBytes != 2*size {
		t.Errorf("stats %+v (record %d bytes)", st, size)
	}
	// An entry larger than max_bytes is always dropped.
	w2 := mustNew(t, t.TempDir(), Config{MaxBytes: 10, StoragePolicy: DropOlder}, Options{})
	if err := w2.Write(entry(1)); err != nil || w2.Stats().DroppedEvents != 1 {
		t.Errorf("oversized entry: %v %+v", err, w2.Stats())
	}
}

func TestMaxBytesDropOlder(t *testing.T) {
	dir := t.TempDir()
	size := recordSize(t)
	// Two records per segment; room for four.
	w := mustNew(t, dir, Config{MaxBytes: 4 * size, StoragePolicy: DropOlder},
		Options{SegmentBytes: 2 * size, Now: func() time.Time { return time.Unix(0, 0) }})
	for i := range 9 {
		if err := w.Write(entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = w.Close()
	recs, _ := readAll(t, dir, Position{})
	var ns []string
	for _, r := range recs {
		ns = append(ns, string(r.Event[5:6]))
	}
	// The newest are kept; the oldest whole segments went.
	if got := fmt.Sprint(ns); got != "[6 7 8]" && got != "[5 6 7 8]" {
		t.Errorf("kept %s", got)
	}
	st := w.Stats()
	if st.WrittenEvents != 9 || st.DroppedEvents != 0 || st.DeletedSegments < 2 {
		t.Errorf("stats %+v", st)
	}
	var total int64
	nums, _ := Segments(dir)
	for _, n := range nums {
		fi, _ := os.Stat(segmentPath(dir, n))
		total += fi.Size()
	}
	if total > 4*size {
		t.Errorf("%d bytes on disk, max %d", total, 4*size)
	}
	// One segment alone in the way: it is closed and deleted too.
	w2 := mustNew(t, t.TempDir(), Config{MaxBytes: size + size/2, StoragePolicy: DropOlder}, Options{})
	for i := range 3 {
		if err := w2.Write(entry(i)); err != nil {
			t.Fatal(err)
		}
	}
	_ = w2.Close()
	if recs, _ := readAll(t, w2.Dir(), Position{}); len(recs) != 1 || !bytes.HasPrefix(recs[0].Event, []byte(`{"n":2,`)) {
		t.Errorf("kept %d records", len(recs))
	}
}

func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	w := mustNew(t, dir, Config{}, Options{SegmentBytes: 4096})
	const writers, each = 8, 50
	var wg sync.WaitGroup
	for g := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if err := w.Write(entry(g*1000+i), entry(g*1000+i+500)); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	_ = w.Close()
	recs, r := readAll(t, dir, Position{})
	if len(recs) != writers*each*2 || r.Skipped() != 0 {
		t.Fatalf("%d records, %d skipped", len(recs), r.Skipped())
	}
	seen := map[string]bool{}
	for _, rec := range recs {
		seen[string(rec.Event)] = true
	}
	if len(seen) != writers*each*2 {
		t.Errorf("%d distinct records", len(seen))
	}
}

func TestTornLastRecordIsSkippedAndCounted(t *testing.T) {
	dir := t.TempDir()
	w := mustNew(t, dir, Config{}, Options{})
	_ = w.Write(entry(1), entry(2))
	_ = w.Close()
	// A crash in the middle of the last record.
	p := filepath.Join(dir, "1.log")
	b, _ := os.ReadFile(p)
	if err := os.WriteFile(p, b[:len(b)-20], 0o644); err != nil {
		t.Fatal(err)
	}
	// While it is the newest segment, the reader waits for its end.
	recs, r := readAll(t, dir, Position{})
	if len(recs) != 1 || r.Skipped() != 0 {
		t.Fatalf("%d records, %d skipped", len(recs), r.Skipped())
	}
	// The next run writes a new segment: the torn line is final, skipped.
	w2 := mustNew(t, dir, Config{}, Options{})
	_ = w2.Write(entry(3))
	_ = w2.Close()
	rec, ok, err := r.Next()
	if err != nil || !ok || !bytes.HasPrefix(rec.Event, []byte(`{"n":3,`)) || r.Skipped() != 1 {
		t.Fatalf("after the torn record: %s %v %v, skipped %d", rec.Event, ok, err, r.Skipped())
	}
	// A line that is no record is skipped and counted too.
	if err := os.WriteFile(filepath.Join(dir, "9.log"), []byte("garbage\n"+string(b[:bytes.IndexByte(b, '\n')+1])), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, r = readAll(t, dir, Position{})
	if len(recs) != 3 || r.Skipped() != 2 {
		t.Errorf("%d records, %d skipped", len(recs), r.Skipped())
	}
}

func TestReaderFollowsWritesAndCleanConsumed(t *testing.T) {
	dir := t.TempDir()
	w := mustNew(t, dir, Config{}, Options{SegmentBytes: 300})
	r := NewReader(dir, Position{})
	defer r.Close()
	if _, ok, err := r.Next(); ok || err != nil {
		t.Fatalf("empty folder: %v %v", ok, err)
	}
	var last Position
	for i := range 10 {
		if err := w.Write(entry(i)); err != nil {
			t.Fatal(err)
		}
		rec, ok, err := r.Next()
		if !ok || err != nil || !bytes.HasPrefix(rec.Event, []byte(`{"n":`+strconv.Itoa(i)+`,`)) {
			t.Fatalf("record %d: %s %v %v", i, rec.Event, ok, err)
		}
		last = rec.End
	}
	_ = w.Close()
	if err := RemoveBefore(dir, last); err != nil {
		t.Fatal(err)
	}
	if nums, _ := Segments(dir); len(nums) != 1 || nums[0] != last.Segment {
		t.Errorf("after clean: %v, position %+v", nums, last)
	}
	pf := filepath.Join(t.TempDir(), "sub", "offsets")
	if p, err := LoadPosition(pf); err != nil || p != (Position{}) {
		t.Errorf("missing offsets file: %+v %v", p, err)
	}
	if err := SavePosition(pf, last); err != nil {
		t.Fatal(err)
	}
	if p, err := LoadPosition(pf); err != nil || p != last {
		t.Errorf("offsets %+v %v, want %+v", p, err, last)
	}
}

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"1024": 1024, "1024mb": 1 << 30, "1gb": 1 << 30, "512 KB": 512 << 10, "10b": 10, "2TB": 2 << 40} {
		if got, err := ParseBytes(in); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	for _, in := range []string{"", "mb", "12 parsecs", "99999999999999tb"} {
		if _, err := ParseBytes(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}
