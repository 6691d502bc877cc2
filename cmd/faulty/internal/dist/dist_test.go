package dist

import (
	"slices"
	"testing"
	"time"
)

func TestParseSpec(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"uniform", "uniform", false},
		{"zipf", "zipf:1.1", false},
		{"zipf:2", "zipf:2", false},
		{" Zipf:0.5 ", "zipf:0.5", false},
		{"weighted:INFO=70,WARNING=20,ERROR=10", "weighted:INFO=70,WARNING=20,ERROR=10", false},
		{"weighted:a=1, b=0.5", "weighted:a=1,b=0.5", false},
		{"uniform:3", "", true},
		{"zipf:0", "", true},
		{"zipf:-1", "", true},
		{"zipf:x", "", true},
		{"weighted", "", true},
		{"weighted:a", "", true},
		{"weighted:a=-1", "", true},
		{"weighted:a=0,b=0", "", true},
		{"weighted:a=1,a=2", "", true},
		{"normal", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			sp, err := ParseSpec(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseSpec(%q) = %v, want an error", tt.in, sp)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sp.String() != tt.want {
				t.Fatalf("ParseSpec(%q) = %s, want %s", tt.in, sp, tt.want)
			}
		})
	}
}

func mustChoice(t *testing.T, spec string, names []string) *Choice {
	t.Helper()
	sp, err := ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewChoice(sp, names, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func draw(c *Choice, r *Rand, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = c.Pick(r)
	}
	return out
}

func TestReproducible(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e"}
	for _, spec := range []string{"uniform", "zipf", "weighted:a=1,b=2,c=3"} {
		t.Run(spec, func(t *testing.T) {
			c := mustChoice(t, spec, names)
			one, two := draw(c, NewRand(42), 1000), draw(c, NewRand(42), 1000)
			if !slices.Equal(one, two) {
				t.Fatal("same seed, different sequences")
			}
			if other := draw(c, NewRand(43), 1000); slices.Equal(one, other) {
				t.Fatal("different seeds, same sequence")
			}
		})
	}
}

// counts draws n names and returns the count of each, in names' order.
func counts(c *Choice, seed uint64, n int) []int {
	r := NewRand(seed)
	out := make([]int, len(c.Names()))
	idx := map[string]int{}
	for i, name := range c.Names() {
		idx[name] = i
	}
	for range n {
		out[idx[c.Pick(r)]]++
	}
	return out
}

func TestShapes(t *testing.T) {
	names := []string{"r1", "r2", "r3", "r4", "r5", "r6"}
	const n = 100_000
	t.Run("zipf ranks in order", func(t *testing.T) {
		for _, spec := range []string{"zipf", "zipf:2"} {
			got := counts(mustChoice(t, spec, names), 7, n)
			for i := 1; i < len(got); i++ {
				if got[i] >= got[i-1] {
					t.Fatalf("%s: counts %v are not decreasing by rank", spec, got)
				}
			}
		}
	})
	t.Run("steeper zipf favours the head more", func(t *testing.T) {
		soft := counts(mustChoice(t, "zipf:0.8", names), 7, n)
		steep := counts(mustChoice(t, "zipf:2", names), 7, n)
		if steep[0] <= soft[0] {
			t.Fatalf("head: zipf:2 %d, zipf:0.8 %d", steep[0], soft[0])
		}
	})
	t.Run("weighted follows weights", func(t *testing.T) {
		c := mustChoice(t, "weighted:low=5,high=70,mid=25,never=0", nil)
		got := counts(c, 7, n) // order: low, high, mid, never
		if !(got[1] > got[2] && got[2] > got[0] && got[3] == 0) {
			t.Fatalf("counts low/high/mid/never = %v", got)
		}
	})
	t.Run("uniform is flat", func(t *testing.T) {
		got := counts(mustChoice(t, "uniform", names), 7, n)
		want := n / len(names)
		for i, g := range got {
			if g < want*9/10 || g > want*11/10 {
				t.Fatalf("%s drawn %d times, want about %d (%v)", names[i], g, want, got)
			}
		}
	})
}

func TestChoiceErrors(t *testing.T) {
	sp, _ := ParseSpec("weighted:INFO=1,DEBUG=2")
	if _, err := NewChoice(sp, nil, func(s string) bool { return s == "INFO" }); err == nil {
		t.Fatal("unknown weighted name accepted")
	}
	if _, err := NewChoice(Spec{Kind: Zipf, S: 1}, nil, nil); err == nil {
		t.Fatal("empty name list accepted")
	}
}

func TestProb(t *testing.T) {
	c := mustChoice(t, "weighted:a=1,b=3", nil)
	if c.Prob(0) != 0.25 || c.Prob(1) != 0.75 {
		t.Fatalf("Prob = %v, %v", c.Prob(0), c.Prob(1))
	}
	if got := c.PickIndex(0); got != 0 {
		t.Fatalf("PickIndex(0) = %d", got)
	}
	if got := c.PickIndex(0.9999); got != 1 {
		t.Fatalf("PickIndex(0.9999) = %d", got)
	}
}

func TestParseBurst(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{"every=60s,for=10s,rate=0.8", "every=1m0s,for=10s,rate=0.8", false},
		{"every=5m,for=30s,rate=1,offset=4m", "every=5m0s,for=30s,rate=1,offset=4m0s", false},
		{"every=60s,for=10s", "", true},
		{"every=10s,for=20s,rate=0.5", "", true},
		{"every=0s,for=0s,rate=0.5", "", true},
		{"every=60s,for=10s,rate=1.5", "", true},
		{"every=60s,for=10s,rate=0.5,at=3", "", true},
		{"every=soon,for=10s,rate=0.5", "", true},
		{"every=60s,for=10s,rate=0.5,offset=-1s", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			b, err := ParseBurst(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("ParseBurst(%q) = %v, want an error", tt.in, b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Fatalf("ParseBurst(%q) = %s, want %s", tt.in, b, tt.want)
			}
		})
	}
}

func TestErrorRateBursts(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b1, _ := ParseBurst("every=60s,for=10s,rate=0.8")
	b2, _ := ParseBurst("every=300s,for=30s,rate=1,offset=120s")
	e := &ErrorRate{Base: 0.25, Bursts: []Burst{b1, b2}, Start: start}
	tests := []struct {
		at   time.Duration
		want float64
	}{
		{0, 0.8},
		{9 * time.Second, 0.8},
		{10 * time.Second, 0.25},
		{59 * time.Second, 0.25},
		{60 * time.Second, 0.8},
		{119 * time.Second, 0.25},
		{120 * time.Second, 1}, // both bursts: the later one wins
		{135 * time.Second, 1}, // second burst only
		{150 * time.Second, 0.25},
		{420 * time.Second, 1}, // next period of the second burst
		{-time.Second, 0.25},   // before the start: no offset burst, first burst's period
	}
	for _, tt := range tests {
		t.Run(tt.at.String(), func(t *testing.T) {
			if got := e.At(start.Add(tt.at)); got != tt.want {
				t.Fatalf("At(+%s) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
	t.Run("draws follow the rate", func(t *testing.T) {
		r := NewRand(1)
		errs := func(at time.Duration) int {
			n := 0
			for range 10000 {
				if r.Float64() < e.At(start.Add(at)) {
					n++
				}
			}
			return n
		}
		inside, outside := errs(5*time.Second), errs(30*time.Second)
		if inside <= 2*outside {
			t.Fatalf("errors inside a burst %d, outside %d", inside, outside)
		}
	})
}

func BenchmarkPickZipf(b *testing.B) {
	names := make([]string, 800)
	for i := range names {
		names[i] = string(rune('a' + i%26))
	}
	c, _ := NewChoice(Spec{Kind: Zipf, S: 1.1}, names, nil)
	r := NewRand(1)
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Pick(r)
	}
}
