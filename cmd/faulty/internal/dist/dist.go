// Package dist holds faulty's random choices: a seeded, concurrency-safe
// source, categorical distributions with a shape (uniform, Zipf,
// weighted), and an error rate that bursts over time.
package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rand is a seeded random source safe for concurrent use.
type Rand struct {
	mu sync.Mutex
	r  *rand.Rand
}

// NewRand returns a source that yields the same sequence for the same seed.
func NewRand(seed uint64) *Rand {
	return &Rand{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Float64 returns a number in [0, 1).
func (r *Rand) Float64() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.Float64()
}

// IntN returns a number in [0, n).
func (r *Rand) IntN(n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.IntN(n)
}

// Uint64 returns a random 64-bit number.
func (r *Rand) Uint64() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.Uint64()
}

// Kind is the shape of a categorical distribution.
type Kind int

// The shapes.
const (
	// Uniform gives every name the same weight (the original app).
	Uniform Kind = iota
	// Zipf gives the name of rank k (from 1) the weight 1/k^s.
	Zipf
	// Weighted gives each listed name its own weight.
	Weighted
)

// DefaultZipfS is the exponent of "zipf" without ":s".
const DefaultZipfS = 1.1

// Spec is a parsed distribution: "uniform", "zipf[:s]" or
// "weighted:a=70,b=20,...".
type Spec struct {
	// Kind is the shape.
	Kind Kind
	// S is Zipf's exponent.
	S float64
	// Names and Weights are the weighted distribution's entries, in order.
	Names []string
	// Weights holds one weight per name.
	Weights []float64
}

// String returns the spec in the syntax ParseSpec reads.
func (s Spec) String() string {
	switch s.Kind {
	case Zipf:
		return "zipf:" + strconv.FormatFloat(s.S, 'g', -1, 64)
	case Weighted:
		parts := make([]string, len(s.Names))
		for i, n := range s.Names {
			parts[i] = n + "=" + strconv.FormatFloat(s.Weights[i], 'g', -1, 64)
		}
		return "weighted:" + strings.Join(parts, ",")
	default:
		return "uniform"
	}
}

// ParseSpec reads "uniform", "zipf", "zipf:1.3" or "weighted:a=70,b=20".
func ParseSpec(text string) (Spec, error) {
	name, arg, hasArg := strings.Cut(strings.TrimSpace(text), ":")
	switch strings.ToLower(name) {
	case "uniform":
		if hasArg {
			return Spec{}, fmt.Errorf("distribution %q: uniform takes no argument", text)
		}
		return Spec{Kind: Uniform}, nil
	case "zipf":
		s := DefaultZipfS
		if hasArg {
			v, err := strconv.ParseFloat(arg, 64)
			if err != nil || !(v > 0) || math.IsInf(v, 0) {
				return Spec{}, fmt.Errorf("distribution %q: the Zipf exponent must be a number > 0", text)
			}
			s = v
		}
		return Spec{Kind: Zipf, S: s}, nil
	case "weighted":
		if !hasArg || arg == "" {
			return Spec{}, fmt.Errorf("distribution %q: write weighted:name=weight,name=weight", text)
		}
		sp := Spec{Kind: Weighted}
		for _, item := range strings.Split(arg, ",") {
			k, v, ok := strings.Cut(item, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return Spec{}, fmt.Errorf("distribution %q: %q is not name=weight", text, item)
			}
			w, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || w < 0 || math.IsInf(w, 0) || math.IsNaN(w) {
				return Spec{}, fmt.Errorf("distribution %q: weight of %q must be a number >= 0", text, k)
			}
			if slices.Contains(sp.Names, k) {
				return Spec{}, fmt.Errorf("distribution %q: %q is listed twice", text, k)
			}
			sp.Names = append(sp.Names, k)
			sp.Weights = append(sp.Weights, w)
		}
		if sum(sp.Weights) == 0 {
			return Spec{}, fmt.Errorf("distribution %q: the weights add up to 0", text)
		}
		return sp, nil
	}
	return Spec{}, fmt.Errorf("distribution %q: unknown; use uniform, zipf[:s] or weighted:a=70,b=20", text)
}

func sum(ws []float64) float64 {
	t := 0.0
	for _, w := range ws {
		t += w
	}
	return t
}

// Choice draws names with fixed probabilities.
type Choice struct {
	names []string
	cum   []float64 // cumulative weights
}

// NewChoice builds the distribution of spec over names (rank order for
// Zipf). A weighted spec brings its own names; names then only restricts
// them when allowed is not nil: allowed reports whether a name is valid.
func NewChoice(spec Spec, names []string, allowed func(string) bool) (*Choice, error) {
	var ws []float64
	switch spec.Kind {
	case Weighted:
		names = spec.Names
		ws = spec.Weights
		if allowed != nil {
			for _, n := range names {
				if !allowed(n) {
					return nil, fmt.Errorf("weighted distribution: unknown name %q", n)
				}
			}
		}
	case Zipf:
		ws = make([]float64, len(names))
		for i := range names {
			ws[i] = 1 / math.Pow(float64(i+1), spec.S)
		}
	default:
		ws = make([]float64, len(names))
		for i := range ws {
			ws[i] = 1
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("distribution %s: no names to choose from", spec)
	}
	c := &Choice{names: slices.Clone(names), cum: make([]float64, len(ws))}
	t := 0.0
	for i, w := range ws {
		t += w
		c.cum[i] = t
	}
	return c, nil
}

// Names returns the names in rank order.
func (c *Choice) Names() []string { return slices.Clone(c.names) }

// Prob returns the probability of the name at index i.
func (c *Choice) Prob(i int) float64 {
	prev := 0.0
	if i > 0 {
		prev = c.cum[i-1]
	}
	return (c.cum[i] - prev) / c.cum[len(c.cum)-1]
}

// Pick draws one name.
func (c *Choice) Pick(r *Rand) string {
	return c.names[c.PickIndex(r.Float64())]
}

// PickIndex maps u in [0, 1) to an index.
func (c *Choice) PickIndex(u float64) int {
	x := u * c.cum[len(c.cum)-1]
	i := sort.Search(len(c.cum), func(i int) bool { return c.cum[i] > x })
	if i == len(c.cum) {
		i--
	}
	// Skip zero-weight names that share the boundary.
	for i > 0 && c.cum[i] == c.cum[i-1] {
		i--
	}
	return i
}

// Burst raises the error rate to Rate for For in every period Every,
// starting Offset after the start of the run.
type Burst struct {
	// Every is the period.
	Every time.Duration
	// For is how long the burst lasts in each period.
	For time.Duration
	// Rate is the error rate during the burst.
	Rate float64
	// Offset is where the burst starts within each period.
	Offset time.Duration
}

// String returns the burst in the syntax ParseBurst reads.
func (b Burst) String() string {
	s := fmt.Sprintf("every=%s,for=%s,rate=%s", b.Every, b.For, strconv.FormatFloat(b.Rate, 'g', -1, 64))
	if b.Offset != 0 {
		s += ",offset=" + b.Offset.String()
	}
	return s
}

// ParseBurst reads "every=60s,for=10s,rate=0.8[,offset=30s]".
func ParseBurst(text string) (Burst, error) {
	var b Burst
	seen := map[string]bool{}
	for _, item := range strings.Split(text, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return Burst{}, fmt.Errorf("burst %q: %q is not key=value", text, item)
		}
		var err error
		switch k {
		case "every":
			b.Every, err = time.ParseDuration(v)
		case "for":
			b.For, err = time.ParseDuration(v)
		case "offset":
			b.Offset, err = time.ParseDuration(v)
		case "rate":
			b.Rate, err = strconv.ParseFloat(v, 64)
		default:
			return Burst{}, fmt.Errorf("burst %q: unknown key %q; use every, for, rate, offset", text, k)
		}
		if err != nil {
			return Burst{}, fmt.Errorf("burst %q: %s: %w", text, k, err)
		}
		seen[k] = true
	}
	for _, k := range []string{"every", "for", "rate"} {
		if !seen[k] {
			return Burst{}, fmt.Errorf("burst %q: %s= is required", text, k)
		}
	}
	switch {
	case b.Every <= 0:
		return Burst{}, fmt.Errorf("burst %q: every must be > 0", text)
	case b.For <= 0 || b.For > b.Every:
		return Burst{}, fmt.Errorf("burst %q: for must be > 0 and <= every", text)
	case b.Offset < 0:
		return Burst{}, fmt.Errorf("burst %q: offset must be >= 0", text)
	case !(b.Rate >= 0 && b.Rate <= 1):
		return Burst{}, fmt.Errorf("burst %q: rate must be in [0, 1]", text)
	}
	return b, nil
}

// ErrorRate is the probability that a request fails, as a function of the
// time since Start: Base, or the rate of the last burst whose window holds
// the time.
type ErrorRate struct {
	// Base is the rate outside bursts.
	Base float64
	// Bursts are the windows of another rate.
	Bursts []Burst
	// Start is the time the run started.
	Start time.Time
}

// At returns the rate at time t.
func (e *ErrorRate) At(t time.Time) float64 {
	rate := e.Base
	el := t.Sub(e.Start)
	for _, b := range e.Bursts {
		p := (el - b.Offset) % b.Every
		if p < 0 {
			p += b.Every
		}
		if el >= b.Offset && p < b.For {
			rate = b.Rate
		}
	}
	return rate
}
