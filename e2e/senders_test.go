package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// sendersPython returns the python that has python-logstash installed: the
// PIPE_SENDERS_PYTHON variable (set by e2e/run-all.sh), or what
// e2e/setup-senders.sh installs. It fails the test when neither works: the
// real senders are part of the proof, never skipped.
func sendersPython(t *testing.T) string {
	t.Helper()
	if py := os.Getenv("PIPE_SENDERS_PYTHON"); py != "" {
		return py
	}
	out, err := exec.Command("bash", "setup-senders.sh").Output()
	if err != nil {
		t.Fatalf("e2e/setup-senders.sh failed (python-logstash and logger are needed): %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// freePorts returns n distinct free ports on 127.0.0.1 (TCP and UDP).
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for len(ports) < n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", p))
		l.Close()
		if err != nil {
			continue
		}
		u.Close()
		ports = append(ports, p)
	}
	return ports
}

// runningPipe is a pipe process whose stdout lines are collected.
type runningPipe struct {
	cmd    *exec.Cmd
	mu     sync.Mutex
	lines  []string
	stderr *bytes.Buffer
	ready  chan struct{}
	// outDone is closed when stdout has been read to its end.
	outDone chan struct{}
}

// startListening starts pipe and waits until wantListening inputs have
// logged that they listen (0: does not wait).
func startListening(t *testing.T, config string, wantListening int) *runningPipe {
	t.Helper()
	return startListeningArgs(t, []string{"-f", writeConfig(t, config), "-w", "2"}, wantListening)
}

// startListeningArgs is startListening with pipe's arguments given.
func startListeningArgs(t *testing.T, args []string, wantListening int) *runningPipe {
	t.Helper()
	cmd := exec.Command(pipeBin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	rp := &runningPipe{cmd: cmd, stderr: &bytes.Buffer{}, ready: make(chan struct{}), outDone: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	go func() {
		defer close(rp.outDone)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			rp.mu.Lock()
			rp.lines = append(rp.lines, sc.Text())
			rp.mu.Unlock()
		}
	}()
	go func() {
		sc := bufio.NewScanner(stderr)
		n := 0
		for sc.Scan() {
			rp.mu.Lock()
			rp.stderr.WriteString(sc.Text() + "\n")
			rp.mu.Unlock()
			if strings.Contains(sc.Text(), "input listening") {
				if n++; n == wantListening {
					close(rp.ready)
				}
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	if wantListening == 0 {
		return rp
	}
	select {
	case <-rp.ready:
	case <-time.After(30 * time.Second):
		t.Fatalf("pipe's inputs did not start listening:\n%s", rp.log())
	}
	return rp
}

func (rp *runningPipe) log() string {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	return rp.stderr.String()
}

// waitLines waits until n lines are out (or the guard runs out) and returns
// them decoded.
func (rp *runningPipe) waitLines(t *testing.T, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		rp.mu.Lock()
		got := len(rp.lines)
		rp.mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	var evs []map[string]any
	for _, l := range rp.lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("output line is not JSON: %q", l)
		}
		evs = append(evs, m)
	}
	return evs
}

// stop sends SIGTERM and expects a clean exit.
func (rp *runningPipe) stop(t *testing.T) {
	t.Helper()
	_ = rp.cmd.Process.Signal(syscall.SIGTERM)
	// Read stdout to its end before Wait, which closes the pipe.
	select {
	case <-rp.outDone:
	case <-time.After(30 * time.Second):
	}
	if code := waitExit(t, rp.cmd, 30*time.Second); code != 0 {
		t.Fatalf("pipe exited %d:\n%s", code, rp.log())
	}
}

// sentRecord is one record the python sender reports.
type sentRecord struct {
	Logger    string `json:"logger"`
	Message   string `json:"message"`
	SHA1      string `json:"sha1"`
	Length    int    `json:"length"`
	Mime      string `json:"mime"`
	Version   int    `json:"version"`
	Transport string `json:"transport"`
	Seq       int    `json:"seq"`
	Exception bool   `json:"exception"`
}

// TestRealSenders drives pipe with the real python-logstash handlers (TCP
// JSON lines and UDP datagrams, format versions 1 and 0, extras and an
// exception) and with logger(1) sending RFC 3164 syslog over UDP, and checks
// every record arrives with its fields, types and tags, the task messages
// tokenised by grok into sha1, an integer length and the MIME type.
func TestRealSenders(t *testing.T) {
	python := sendersPython(t)
	ports := freePorts(t, 3)
	tcpPort, udpPort, syslogPort := ports[0], ports[1], ports[2]
	config := fmt.Sprintf(`
input {
  tcp {
    host  = "127.0.0.1"
    port  = %d
    codec = "json_lines"
  }
  udp {
    host  = "127.0.0.1"
    port  = %d
    codec = "json"
  }
  udp {
    host = "127.0.0.1"
    port = %d
    type = "syslog"
  }
}
filter {
  if "[logger_name] =~ /^example\.tasks/" {
    grok {
      match               = { message = "^%%{SHA1:sha1} %%{INT:content_length:int} %%{NOTSPACE:content_type}$" }
      pattern_definitions = { SHA1 = "[0-9a-f]{40}" }
    }
  } else if "[@fields][logger] =~ /^example\.tasks/" {
    grok {
      match               = { "@message" = "^%%{SHA1:sha1} %%{INT:content_length:int} %%{NOTSPACE:content_type}$" }
      pattern_definitions = { SHA1 = "[0-9a-f]{40}" }
    }
  } else if "[type] == 'syslog'" {
    grok {
      match     = { message = "^<%%{POSINT:[log][syslog][priority]:int}>%%{SYSLOGLINE}" }
      overwrite = ["message"]
    }
  }
}
output {
  stdout { codec = "json_lines" }
}
`, tcpPort, udpPort, syslogPort)
	rp := startListening(t, config, 3)

	const perHandler = 25
	out, err := exec.Command(python, "senders/python_logstash.py",
		"--tcp", fmt.Sprintf("127.0.0.1:%d", tcpPort), "--udp", fmt.Sprintf("127.0.0.1:%d", udpPort),
		"-n", fmt.Sprint(perHandler)).Output()
	if err != nil {
		t.Fatalf("python sender: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var report struct {
		Sent []sentRecord `json:"sent"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &report); err != nil {
		t.Fatalf("sender report: %v\n%s", err, out)
	}
	const syslogLines = 5
	for i := 0; i < syslogLines; i++ {
		cmd := exec.Command("logger", "--rfc3164", "-d", "-n", "127.0.0.1", "-P", fmt.Sprint(syslogPort),
			"-t", "e2eapp", fmt.Sprintf("syslog line %d from logger", i))
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("logger: %v\n%s", err, b)
		}
	}
	want := len(report.Sent) + syslogLines
	evs := rp.waitLines(t, want)
	rp.stop(t)
	if len(evs) != want {
		t.Fatalf("got %d events, want %d (%d python-logstash records + %d syslog lines)\n%s",
			len(evs), want, len(report.Sent), syslogLines, rp.log())
	}

	// Index what arrived by message.
	byMsg := map[string][]map[string]any{}
	var syslog []map[string]any
	for _, e := range evs {
		if e["type"] == "syslog" {
			syslog = append(syslog, e)
			continue
		}
		msg, _ := e["message"].(string)
		if msg == "" {
			msg, _ = e["@message"].(string)
		}
		byMsg[msg] = append(byMsg[msg], e)
	}
	for _, s := range report.Sent {
		t.Run(fmt.Sprintf("%s-v%d-%s-%d", s.Transport, s.Version, s.Logger, s.Seq), func(t *testing.T) {
			cands := byMsg[s.Message]
			var e map[string]any
			for _, c := range cands {
				if loggerOf(c) == s.Logger {
					e = c
				}
			}
			if e == nil {
				t.Fatalf("record %q from %s did not arrive", s.Message, s.Logger)
			}
			if ts, _ := e["@timestamp"].(string); !strings.HasSuffix(ts, "Z") || len(ts) != len("2026-11-24T23:08:04.232Z") {
				t.Errorf("@timestamp %q is not python-logstash's millisecond UTC time", e["@timestamp"])
			}
			if tags, ok := e["tags"].([]any); ok && len(tags) > 0 {
				t.Errorf("unexpected tags %v", tags)
			}
			if s.Version == 1 {
				if e["@version"] != "1" || e["type"] != "logstash" || e["host"] == nil {
					t.Errorf("version 1 fields wrong: %v", e)
				}
				if _, isString := e["host"].(string); !isString {
					t.Errorf("the sender's host string was not kept: %v", e["host"])
				}
			} else if e["@source_host"] == nil || e["@fields"] == nil {
				t.Errorf("version 0 fields missing: %v", e)
			}
			switch {
			case s.SHA1 != "":
				if e["sha1"] != s.SHA1 || e["content_type"] != s.Mime {
					t.Errorf("grok: sha1 %v type %v; want %s %s", e["sha1"], e["content_type"], s.SHA1, s.Mime)
				}
				if n, ok := e["content_length"].(float64); !ok || int(n) != s.Length {
					t.Errorf("grok: content_length %v (%T), want the integer %d", e["content_length"], e["content_length"], s.Length)
				}
			case s.Exception:
				fields := e
				if s.Version == 0 {
					fields, _ = e["@fields"].(map[string]any)
				}
				if st, _ := fields["stack_trace"].(string); !strings.Contains(st, "IndexError") {
					t.Errorf("no stack trace with IndexError: %v", e)
				}
				if fields["status_code"] != 500.0 {
					t.Errorf("status_code %v, want 500", fields["status_code"])
				}
			default:
				fields := e
				if s.Version == 0 {
					fields, _ = e["@fields"].(map[string]any)
				}
				if fields["status_code"] != 404.0 || fields["request"] != "<WSGIRequest: GET '/missing'>" {
					t.Errorf("extras wrong: %v", fields)
				}
			}
		})
	}
	if len(syslog) != syslogLines {
		t.Fatalf("got %d syslog events, want %d", len(syslog), syslogLines)
	}
	for i, e := range syslog {
		if nested(e, "process", "name") != "e2eapp" || nested(e, "host", "ip") != "127.0.0.1" ||
			nested(e, "log", "syslog", "priority") != 13.0 || !strings.HasSuffix(fmt.Sprint(e["message"]), " from logger") {
			t.Errorf("syslog event %d not parsed as expected (ECS v8 names): %v", i, e)
		}
		if tags, ok := e["tags"].([]any); ok && len(tags) > 0 {
			t.Errorf("syslog line tagged %v: %v", tags, e)
		}
	}
}

func loggerOf(e map[string]any) string {
	if l, ok := e["logger_name"].(string); ok {
		return l
	}
	if f, ok := e["@fields"].(map[string]any); ok {
		l, _ := f["logger"].(string)
		return l
	}
	return ""
}

func nested(e map[string]any, path ...string) any {
	var cur any = e
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}
