package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pipeproject/pipe/internal/plugintest"
)

// esInstance is a server this test started with e2e/es/start.sh on its own
// port, so the test can stop it and start it again with its data.
type esInstance struct {
	url, version string
	port         int
}

// esStart starts (keep=false: with a fresh data directory) or restarts
// (keep=true: ES_KEEP_DATA=1, the same indices) the server on port. A
// server that cannot start fails the test.
func esStart(t *testing.T, port int, keep bool) esInstance {
	t.Helper()
	cmd := exec.Command("bash", "es/start.sh")
	cmd.Env = append(os.Environ(), "ES_PORT="+strconv.Itoa(port))
	if keep {
		cmd.Env = append(cmd.Env, "ES_KEEP_DATA=1")
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("e2e/es/start.sh (ES_PORT=%d keep=%v) could not start the server: %v\n%s", port, keep, err, stderr.String())
	}
	fields := map[string]string{}
	for _, kv := range strings.Fields(string(out)) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			fields[k] = v
		}
	}
	if fields["ES_URL"] == "" {
		t.Fatalf("e2e/es/start.sh printed no ES_URL:\n%s\n%s", out, stderr.String())
	}
	return esInstance{url: fields["ES_URL"], version: fields["ES_PRODUCT"] + " " + fields["ES_VERSION"], port: port}
}

func esStop(t *testing.T, port int) {
	t.Helper()
	if b, err := exec.Command("bash", "es/stop.sh", strconv.Itoa(port)).CombinedOutput(); err != nil {
		t.Errorf("e2e/es/stop.sh %d: %v\n%s", port, err, b)
	}
}

// vmRSS is the resident set of pid in bytes, from /proc/<pid>/status.
func vmRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// esCount is the _count of index, or -1 when the server does not answer.
func esCount(u, index string) int {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(u + "/" + index + "/_count")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var count struct {
		Count int `json:"count"`
	}
	if resp.StatusCode != http.StatusOK || jsonDecode(resp, &count) != nil {
		return -1
	}
	return count.Count
}

// TestElasticsearchRestartMidRun is issue #4's test: the server is stopped in
// the middle of a run and started again with its data. Every event is there
// afterwards (document_id = sequence, so a resent document is not counted
// twice, and _count == N with ids 0..N-1 means every id is there), pipe's
// memory stays bounded by its queue while the server is down, and the
// pipeline resumes and finishes by itself.
//
// It always starts its own server (it has to stop it), even when ES_URL is
// set.
func TestElasticsearchRestartMidRun(t *testing.T) {
	const (
		n        = 300000
		index    = "pipe-restart"
		down     = 5 * time.Second
		rssLimit = 150 << 20
	)
	testStart := time.Now()
	port := freePorts(t, 1)[0]
	es := esStart(t, port, false)
	t.Cleanup(func() { esStop(t, port) })
	t.Logf("server: %s at %s, started in %s", es.version, es.url, time.Since(testStart).Round(100*time.Millisecond))

	// retry_* and resurrect_delay are whole seconds (1 is the minimum).
	config := fmt.Sprintf(`
input {
  generator {
    count             = %d
    ecs_compatibility = "disabled"
  }
}
output {
  elasticsearch {
    hosts                  = ["%s"]
    index                  = "%s"
    document_id            = "%%{sequence}"
    manage_template        = false
    retry_initial_interval = 1
    retry_max_interval     = 1
    resurrect_delay        = 1
  }
}
`, n, es.url, index)
	cmd := exec.Command(pipeBin, "-f", writeConfig(t, config))
	var stderr plugintest.SyncBuffer
	cmd.Stderr = &stderr
	runStart := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()

	// Sample pipe's RSS every 100 ms for the whole run; the outage's peak is
	// kept apart.
	var (
		mu               sync.Mutex
		peak, outagePeak int64
		samples, outageN int
		outage           bool
		stopSampling     = make(chan struct{})
		samplerDone      = make(chan struct{})
	)
	go func() {
		defer close(samplerDone)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopSampling:
				return
			case <-exited:
				return
			case <-tick.C:
			}
			rss, err := vmRSS(cmd.Process.Pid)
			if err != nil {
				continue // exiting
			}
			mu.Lock()
			peak = max(peak, rss)
			samples++
			if outage {
				outagePeak = max(outagePeak, rss)
				outageN++
			}
			mu.Unlock()
		}
	}()

	// Stop the server in the middle of the run, once some documents are
	// searchable.
	const stopAfter = n / 10
	var before int
	for deadline := time.Now().Add(30 * time.Second); ; {
		select {
		case <-exited:
			t.Fatalf("pipe exited before the server was stopped (%d documents counted); it ran too fast for this test:\n%s", before, stderr.String())
		default:
		}
		if before = esCount(es.url, index); before >= stopAfter {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d documents after 30 s; pipe log:\n%s", before, stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	stopAt := time.Since(runStart)
	mu.Lock()
	outage = true
	mu.Unlock()
	esStop(t, port)
	stopped := time.Since(runStart)
	if c := esCount(es.url, index); c != -1 {
		t.Fatalf("the server still answers after stop.sh (count %d)", c)
	}
	time.Sleep(down)
	select {
	case <-exited:
		t.Fatalf("pipe exited while the server was down:\n%s", stderr.String())
	default:
	}
	restartAt := time.Since(runStart)
	es2 := esStart(t, port, true)
	upAt := time.Since(runStart)
	mu.Lock()
	outage = false
	mu.Unlock()
	if es2.url != es.url {
		t.Fatalf("restarted at %s, want %s", es2.url, es.url)
	}
	if c := esCount(es.url, index); c < before {
		t.Fatalf("after the restart the index has %d documents, had %d: the data was not kept", c, before)
	}

	// pipe resumes by itself and exits once the generator is done and the
	// queue has drained.
	select {
	case <-exited:
	case <-time.After(45 * time.Second):
		t.Fatalf("pipe did not finish within 45 s of the restart; log:\n%s", stderr.String())
	}
	close(stopSampling)
	<-samplerDone
	doneAt := time.Since(runStart)
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("pipe exited %d:\n%s", code, stderr.String())
	}

	if resp, err := http.Post(es.url+"/"+index+"/_refresh", "application/json", nil); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	count := esCount(es.url, index)
	// _id is the sequence, so _count is the number of distinct ids; with
	// min 0 and max n-1 over n documents, each of 0..n-1 is there once.
	var agg struct {
		Hits struct {
			Total struct {
				Value int `json:"value"`
			} `json:"total"`
		} `json:"hits"`
		Aggregations struct {
			Min, Max struct {
				Value *float64 `json:"value"`
			}
		} `json:"aggregations"`
	}
	esPostJSON(t, es.url+"/"+index+"/_search",
		`{"size":0,"track_total_hits":true,"aggs":{"Min":{"min":{"field":"sequence"}},"Max":{"max":{"field":"sequence"}}}}`, &agg)
	mu.Lock()
	defer mu.Unlock()
	t.Logf("timings from pipe's start: %d documents counted at %s, server stopped at %s, restarted at %s, up at %s, pipe finished at %s; whole test %s",
		before, stopAt.Round(time.Millisecond), stopped.Round(time.Millisecond), restartAt.Round(time.Millisecond),
		upAt.Round(time.Millisecond), doneAt.Round(time.Millisecond), time.Since(testStart).Round(time.Millisecond))
	t.Logf("pipe RSS: peak %.1f MB while the server was down (%d samples over %s), %.1f MB over the run (%d samples)",
		float64(outagePeak)/(1<<20), outageN, (upAt - stopAt).Round(time.Millisecond), float64(peak)/(1<<20), samples)
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(l, "pipeline finished") || strings.Contains(l, "retried") {
			t.Logf("pipe: %s", l)
		}
	}
	if count != n || agg.Hits.Total.Value != n {
		t.Errorf("_count %d, hits %d, want %d: events lost", count, agg.Hits.Total.Value, n)
	}
	if agg.Aggregations.Min.Value == nil || agg.Aggregations.Max.Value == nil ||
		*agg.Aggregations.Min.Value != 0 || *agg.Aggregations.Max.Value != n-1 {
		t.Errorf("sequence min/max %v/%v, want 0/%d", agg.Aggregations.Min.Value, agg.Aggregations.Max.Value, n-1)
	}
	if outageN < int(down/(100*time.Millisecond))/2 {
		t.Errorf("only %d RSS samples while the server was down", outageN)
	}
	if outagePeak > rssLimit {
		t.Errorf("pipe's RSS reached %.1f MB while the server was down, limit %d MB", float64(outagePeak)/(1<<20), rssLimit>>20)
	}
}

func esPostJSON(t *testing.T, u, body string, into any) {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		t.Fatalf("POST %s: %s\n%s", u, resp.Status, b.String())
	}
	if err := jsonDecode(resp, into); err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
}

func jsonDecode(resp *http.Response, into any) error {
	return json.NewDecoder(resp.Body).Decode(into)
}
