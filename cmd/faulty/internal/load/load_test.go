package load

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	var hits atomic.Int64
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch hits.Add(1) % 4 {
		case 0:
			w.WriteHeader(500)
		case 1:
			w.WriteHeader(404)
		}
		_, _ = w.Write([]byte("body"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	res, err := Run(context.Background(), Options{URL: srv.URL, N: 200, C: 5})
	if err != nil {
		t.Fatal(err)
	}
	if res.Complete != 200 || res.Failed != 0 || res.Statuses["200"] != 100 || res.Statuses["404"] != 50 || res.Statuses["500"] != 50 {
		t.Fatalf("result %+v", res)
	}
	if c := conns.Load(); c > 5 {
		t.Fatalf("%d connections for 5 keep-alive clients", c)
	}
	l := res.Latency
	if !(l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max && l.Mean <= l.Max) {
		t.Fatalf("latency %+v", l)
	}
	var sb strings.Builder
	if err := res.WriteText(&sb); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Complete requests:      200\n", "Failed requests:        0\n",
		"Non-2xx responses:      100\n", " 200: 100 404: 50 500: 50\n"} {
		if !strings.Contains(sb.String(), want) {
			t.Fatalf("summary lacks %q:\n%s", want, sb.String())
		}
	}
	data, _ := json.Marshal(res)
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil || back["complete"] != 200.0 {
		t.Fatalf("json %s", data)
	}
}

func TestTransportErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/"
	ln.Close()
	res, err := Run(context.Background(), Options{URL: url, N: 20, C: 4})
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed != 20 || res.Complete != 0 || len(res.Errors) == 0 {
		t.Fatalf("result %+v", res)
	}
}

func TestRunErrors(t *testing.T) {
	for _, o := range []Options{{URL: "http://x/", N: 0, C: 1}, {URL: "http://x/", N: 1, C: 0}, {URL: "::bad", N: 1, C: 1}} {
		if _, err := Run(context.Background(), o); err == nil {
			t.Fatalf("Run(%+v) accepted", o)
		}
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		in   []time.Duration
		want time.Duration
	}{
		{50, ds, 50 * time.Millisecond},
		{90, ds, 90 * time.Millisecond},
		{99, ds, 99 * time.Millisecond},
		{100, ds, 100 * time.Millisecond},
		{50, ds[:1], time.Millisecond},
		{99, ds[:10], 10 * time.Millisecond},
		{50, nil, 0},
	}
	for _, tt := range tests {
		if got := Percentile(tt.in, tt.p); got != tt.want {
			t.Errorf("Percentile(%d values, %v) = %s, want %s", len(tt.in), tt.p, got, tt.want)
		}
	}
}
