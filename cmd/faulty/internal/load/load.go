// Package load is `faulty load`, the `ab -n N -c C URL` run of the
// original: N GET requests from C concurrent keep-alive clients, with a
// summary of statuses, throughput and latency.
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure a run.
type Options struct {
	// URL is requested N times.
	URL string
	// N is the number of requests.
	N int
	// C is the number of concurrent clients.
	C int
	// Timeout bounds one request (default 30s).
	Timeout time.Duration
	// Client, when set, replaces the default keep-alive client.
	Client *http.Client
}

// Latency is a latency summary in milliseconds.
type Latency struct {
	// Mean is the mean latency.
	Mean float64 `json:"mean_ms"`
	// P50, P90 and P99 are percentiles (nearest rank).
	P50 float64 `json:"p50_ms"`
	// P90 is the 90th percentile.
	P90 float64 `json:"p90_ms"`
	// P99 is the 99th percentile.
	P99 float64 `json:"p99_ms"`
	// Max is the slowest request.
	Max float64 `json:"max_ms"`
}

// Result is a run's summary.
type Result struct {
	// URL is what was requested.
	URL string `json:"url"`
	// Concurrency is the number of clients.
	Concurrency int `json:"concurrency"`
	// Complete counts requests that got a response (any status).
	Complete int `json:"complete"`
	// Failed counts transport errors (no response).
	Failed int `json:"failed"`
	// Statuses counts responses per status code.
	Statuses map[string]int `json:"statuses"`
	// Errors counts transport errors by message.
	Errors map[string]int `json:"errors,omitempty"`
	// Seconds is the wall time of the run.
	Seconds float64 `json:"seconds"`
	// RequestsPerSecond is Complete / Seconds.
	RequestsPerSecond float64 `json:"requests_per_second"`
	// Latency summarises completed requests.
	Latency Latency `json:"latency"`
}

// Run performs the requests and summarises them. It returns an error only
// when the run cannot start; transport errors are counted in Failed.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.N <= 0 || o.C <= 0 {
		return nil, errors.New("load: -n and -c must be > 0")
	}
	if o.C > o.N {
		o.C = o.N
	}
	req0, err := http.NewRequestWithContext(ctx, http.MethodGet, o.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	client := o.Client
	if client == nil {
		timeout := o.Timeout
		if timeout <= 0 {
			timeout = 30 * time.Second
		}
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConns = o.C
		tr.MaxIdleConnsPerHost = o.C
		tr.MaxConnsPerHost = o.C
		defer tr.CloseIdleConnections()
		client = &http.Client{Transport: tr, Timeout: timeout}
	}
	var next atomic.Int64
	type sample struct {
		status int
		err    error
		d      time.Duration
	}
	samples := make([]sample, o.N)
	var wg sync.WaitGroup
	start := time.Now()
	for range o.C {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= o.N || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				resp, err := client.Do(req0.Clone(ctx))
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
				s := sample{d: time.Since(t0), err: err}
				if resp != nil {
					s.status = resp.StatusCode
				}
				samples[i] = s
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	r := &Result{URL: o.URL, Concurrency: o.C, Statuses: map[string]int{}, Seconds: elapsed.Seconds()}
	var lat []time.Duration
	var total time.Duration
	for _, s := range samples {
		switch {
		case s.err != nil:
			r.Failed++
			if r.Errors == nil {
				r.Errors = map[string]int{}
			}
			r.Errors[s.err.Error()]++
		case s.status != 0:
			r.Complete++
			r.Statuses[strconv.Itoa(s.status)]++
			lat = append(lat, s.d)
			total += s.d
		}
	}
	if r.Seconds > 0 {
		r.RequestsPerSecond = float64(r.Complete) / r.Seconds
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		r.Latency = Latency{
			Mean: ms(total / time.Duration(len(lat))),
			P50:  ms(Percentile(lat, 50)), P90: ms(Percentile(lat, 90)), P99: ms(Percentile(lat, 99)),
			Max: ms(lat[len(lat)-1]),
		}
	}
	return r, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Percentile returns the nearest-rank p-th percentile of sorted values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// WriteText writes the summary in ab's manner.
func (r *Result) WriteText(w io.Writer) error {
	codes := make([]string, 0, len(r.Statuses))
	for c := range r.Statuses {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	non2xx := 0
	for _, c := range codes {
		if c[0] != '2' {
			non2xx += r.Statuses[c]
		}
	}
	var err error
	p := func(format string, a ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format, a...)
		}
	}
	p("URL:                    %s\n", r.URL)
	p("Concurrency Level:      %d\n", r.Concurrency)
	p("Time taken for tests:   %.3f seconds\n", r.Seconds)
	p("Complete requests:      %d\n", r.Complete)
	p("Failed requests:        %d\n", r.Failed)
	p("Non-2xx responses:      %d\n", non2xx)
	p("Requests per second:    %.2f [#/sec] (mean)\n", r.RequestsPerSecond)
	p("Status codes:          ")
	for _, c := range codes {
		p(" %s: %d", c, r.Statuses[c])
	}
	p("\nLatency (ms):           mean %.2f, p50 %.2f, p90 %.2f, p99 %.2f, max %.2f\n",
		r.Latency.Mean, r.Latency.P50, r.Latency.P90, r.Latency.P99, r.Latency.Max)
	for msg, n := range r.Errors {
		p("Transport error (%d×):  %s\n", n, msg)
	}
	if err != nil {
		return fmt.Errorf("writing load summary: %w", err)
	}
	return nil
}
