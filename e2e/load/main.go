// Command load is pipe's load harness: it builds pipe, runs whole-process
// scenarios and reports events/s, wall time and peak RSS of the pipe
// process (from its rusage). It is a measurement, not a test: nothing fails
// on a slow machine.
//
//	go run ./e2e/load                 # all scenarios
//	go run ./e2e/load -n 2000000 -only generator
//
// The elasticsearch scenarios run only against a server given with -es URL
// or ES_URL (the harness starts none), for example one from e2e/es/start.sh:
//
//	eval "$(e2e/es/start.sh)"; go run ./e2e/load -es "$ES_URL" -only elasticsearch -runs 1; e2e/es/stop.sh
//
// Each of their runs writes into a fresh index pipe-load-*, checks its
// _count, then deletes it.
//
// The kafka scenarios run only against a broker given with -kafka HOST:PORT
// or KAFKA_BOOTSTRAP (the harness starts none), e.g. one from
// e2e/kafka/start.sh (kcat and the jars start.sh installs are needed):
//
//	eval "$(e2e/kafka/start.sh)"; go run ./e2e/load -kafka "$KAFKA_BOOTSTRAP" -only kafka -runs 1; e2e/kafka/stop.sh "${KAFKA_BOOTSTRAP##*:}"
//
// They produce -kafka-n records of 300 bytes of JSON with kcat to a fresh
// topic of 6 partitions (once), then each run reads it all in a fresh
// consumer group with one or two pipe processes (codec json, output stdout
// with the dots codec, so the harness counts events as they are out); the
// time runs from the start until the last event is out, and peak RSS is the
// largest of the processes'.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// pythonLogstashLine is a python-logstash (format version 1) event as it
// arrives over TCP, with a counter substituted per line.
const pythonLogstashLine = `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "Not Found: /missing/%d", "host": "vm", "path": "/usr/lib/python3/dist-packages/django/utils/log.py", "tags": [], "type": "logstash", "level": "WARNING", "logger_name": "django.request", "taskName": null, "status_code": 404, "request": "<WSGIRequest: GET '/missing'>"}`

type scenario struct {
	name   string
	events int
	args   []string
	stdin  string // file fed to stdin, if any
	// tcpFiles, when set, are sent to 127.0.0.1:tcpPort, one connection
	// per file, once pipe listens; pipe is then stopped with SIGTERM and
	// the time runs until it has drained and exited.
	tcpFiles []string
	tcpPort  int
	// esURL and esIndex, when set: the index is deleted before and after
	// each run, and its _count must be events after the run.
	esURL, esIndex string
	// kafkaProcs, when set: that many pipe processes read kafkaTopic in a
	// fresh group (runKafka); args is then the config with %s for the
	// group id.
	kafkaProcs int
	kafkaTopic string
}

// apacheLine is an Apache combined log line (%d: the client's last octet
// and the byte count vary).
const apacheLine = `10.1.2.%[1]d - frank [10/Oct/2026:13:55:36 -0700] "GET /apache_pb.gif?id=%[1]d HTTP/1.1" 200 %[1]d "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`

// taskLine is a python-logstash event of the companion app's worker, whose
// message grok splits into sha1, length and MIME type.
const taskLine = `{"@timestamp": "2026-11-24T23:08:04.232Z", "@version": "1", "message": "%040x 1625 audio/mpeg", "host": "vm", "path": "/srv/app/tasks.py", "tags": [], "type": "logstash", "level": "INFO", "logger_name": "example.tasks", "taskName": null}`

func main() {
	n := flag.Int("n", 0, "events per scenario (default: 5M for generator, 1M for json_lines)")
	only := flag.String("only", "", "run only scenarios whose name contains this")
	runs := flag.Int("runs", 3, "runs per scenario; the best is reported")
	workers := flag.Int("w", 0, "pipeline workers (0: pipe's default, the number of cores)")
	esURL := flag.String("es", os.Getenv("ES_URL"), "Elasticsearch-API server for the elasticsearch scenarios (default $ES_URL; none: they are not run)")
	esN := flag.Int("es-n", 1_000_000, "events per elasticsearch scenario")
	kafkaBoot := flag.String("kafka", os.Getenv("KAFKA_BOOTSTRAP"), "Kafka broker for the kafka scenarios (default $KAFKA_BOOTSTRAP; none: they are not run)")
	kafkaN := flag.Int("kafka-n", 1_000_000, "records per kafka scenario")
	flag.Parse()
	*esURL = strings.TrimRight(*esURL, "/")

	dir, err := os.MkdirTemp("", "pipe-load-")
	check(err)
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "pipe")
	build := exec.Command("go", "build", "-o", bin, "./cmd/pipe")
	build.Stderr = os.Stderr
	check(build.Run())

	genN := 5_000_000
	jsonN := 1_000_000
	if *n > 0 {
		genN, jsonN = *n, *n
	}
	input := filepath.Join(dir, "events.jsonl")
	check(writeEvents(input, jsonN))

	wargs := []string{}
	if *workers > 0 {
		wargs = []string{"-w", fmt.Sprint(*workers)}
	}
	scenarios := []scenario{
		{name: "generator -> null", events: genN, args: append([]string{"-e",
			fmt.Sprintf(`input { generator { count = %d } } output { null {} }`, genN)}, wargs...)},
		{name: "stdin json_lines -> stdout json_lines", events: jsonN, stdin: input, args: append([]string{"-e",
			`input { stdin { codec = "json_lines" } } output { stdout { codec = "json_lines" } }`}, wargs...)},
		{name: "stdin json_lines -> conditional -> null", events: jsonN, stdin: input, args: append([]string{"-e",
			`input { stdin { codec = "json_lines" } }
			 filter { if "[level] == 'WARNING' and [status_code] >= 400" { drop { percentage = 0 add_tag = ["warn"] } } }
			 output { null {} }`}, wargs...)},
	}
	apache := filepath.Join(dir, "access.log")
	check(writeLines(apache, jsonN, apacheLine))
	scenarios = append(scenarios, scenario{
		name: "stdin apache .conf -> grok, date, mutate -> null", events: jsonN, stdin: apache,
		// A Logstash config as it is (-e text with =>): the classic Apache pipeline.
		args: append([]string{"--pipeline.ecs_compatibility", "disabled", "-e", `input { stdin { } }
			filter {
			  grok { match => { "message" => "%{COMBINEDAPACHELOG}" } }
			  date { match => [ "timestamp", "dd/MMM/yyyy:HH:mm:ss Z" ] }
			  mutate {
			    convert => { "bytes" => "integer" "response" => "integer" }
			    rename => { "agent" => "user_agent" }
			    remove_field => [ "timestamp" ]
			  }
			}
			output { null { } }`}, wargs...)})
	const tcpConns = 2
	tcpPort := freePort()
	var taskFiles []string
	for c := 0; c < tcpConns; c++ {
		f := filepath.Join(dir, fmt.Sprintf("tasks-%d.jsonl", c))
		check(writeLines(f, jsonN/tcpConns, taskLine))
		taskFiles = append(taskFiles, f)
	}
	scenarios = append(scenarios, scenario{
		name: "tcp line -> json filter -> grok -> null", events: jsonN / tcpConns * tcpConns,
		tcpFiles: taskFiles, tcpPort: tcpPort,
		args: append([]string{"-e", fmt.Sprintf(`input { tcp { host = "127.0.0.1" port = %d } }
			filter {
			  json { source = "message" }
			  grok {
			    match = { message = "%%{SHA1:sha1} %%{INT:content_length:int} %%{NOTSPACE:content_type}" }
			    pattern_definitions = { SHA1 = "[0-9a-f]{40}" }
			    overwrite = ["message"]
			  }
			}
			output { null {} }`, tcpPort)}, wargs...)})
	if *esURL != "" {
		for _, inflight := range []int{1, 2, 4} {
			idx := fmt.Sprintf("pipe-load-gen-%d", inflight)
			scenarios = append(scenarios, scenario{
				name: fmt.Sprintf("generator -> elasticsearch (max_in_flight %d)", inflight), events: *esN,
				esURL: *esURL, esIndex: idx,
				args: append([]string{"-e", fmt.Sprintf(`input { generator { count = %d } }
					output { elasticsearch {
					  hosts = [%q] index = %q manage_template = false max_in_flight = %d
					} }`, *esN, *esURL, idx, inflight)}, wargs...)})
		}
		// The seed pipeline: python-logstash task lines over TCP as
		// json_lines, grok on the message, into Elasticsearch.
		var seedFiles []string
		for c := 0; c < tcpConns; c++ {
			f := filepath.Join(dir, fmt.Sprintf("seed-%d.jsonl", c))
			check(writeLines(f, *esN/tcpConns, taskLine))
			seedFiles = append(seedFiles, f)
		}
		seedPort := freePort()
		for _, inflight := range []int{2, 4} {
			idx := fmt.Sprintf("pipe-load-seed-%d", inflight)
			scenarios = append(scenarios, scenario{
				name:   fmt.Sprintf("tcp json_lines -> grok -> elasticsearch (max_in_flight %d)", inflight),
				events: *esN / tcpConns * tcpConns, tcpFiles: seedFiles, tcpPort: seedPort,
				esURL: *esURL, esIndex: idx,
				args: append([]string{"-e", fmt.Sprintf(`input { tcp { host = "127.0.0.1" port = %d codec = "json_lines" } }
					filter {
					  grok {
					    match = { message = "%%{SHA1:sha1} %%{INT:content_length:int} %%{NOTSPACE:content_type}" }
					    pattern_definitions = { SHA1 = "[0-9a-f]{40}" }
					    overwrite = ["message"]
					  }
					}
					output { elasticsearch {
					  hosts = [%q] index = %q manage_template = false max_in_flight = %d
					} }`, seedPort, *esURL, idx, inflight)}, wargs...)})
		}
	} else {
		fmt.Fprintln(os.Stderr, "load: no -es URL nor ES_URL: the elasticsearch scenarios are not run")
	}
	kafkaName := func(procs int) string {
		return fmt.Sprintf("kafka json -> stdout dots (%d process%s, 6 partitions)", procs, map[bool]string{true: "es"}[procs > 1])
	}
	if *kafkaBoot != "" && (strings.Contains(kafkaName(1), *only) || strings.Contains(kafkaName(2), *only)) {
		topic, err := kafkaTopic(dir, *kafkaBoot, *kafkaN)
		check(err)
		for _, procs := range []int{1, 2} {
			scenarios = append(scenarios, scenario{
				name:   kafkaName(procs),
				events: *kafkaN, kafkaProcs: procs, kafkaTopic: topic,
				args: append([]string{"-e", fmt.Sprintf(`input { kafka {
					  bootstrap_servers = %q topics = [%q] group_id = "%%s"
					  auto_offset_reset = "earliest" codec = "json"
					} }
					output { stdout { codec = "dots" } }`, *kafkaBoot, topic)}, wargs...)})
		}
	} else if *kafkaBoot == "" {
		fmt.Fprintln(os.Stderr, "load: no -kafka broker nor KAFKA_BOOTSTRAP: the kafka scenarios are not run")
	}
	fmt.Printf("%-60s %12s %10s %14s %12s\n", "scenario", "events", "wall", "events/s", "peak RSS")
	for _, s := range scenarios {
		if *only != "" && !strings.Contains(s.name, *only) {
			continue
		}
		var best time.Duration
		var rss int64
		for r := 0; r < *runs; r++ {
			wall, maxrss, err := runES(bin, s)
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\n", s.name, err)
				os.Exit(1)
			}
			if best == 0 || wall < best {
				best = wall
			}
			rss = max(rss, maxrss)
		}
		fmt.Printf("%-60s %12d %10s %14.0f %9.1f MB\n", s.name, s.events, best.Round(time.Millisecond),
			float64(s.events)/best.Seconds(), float64(rss)/1024)
	}
	if *only == "" || strings.Contains("pipe -t", *only) {
		var times []time.Duration
		for r := 0; r < 20; r++ {
			start := time.Now()
			cmd := exec.Command(bin, "-t", "-f", "conf/examples/json_lines.hcl")
			check(cmd.Run())
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		fmt.Printf("%-60s %12s %10s\n", "pipe -t conf/examples/json_lines.hcl (median)", "", times[len(times)/2].Round(100*time.Microsecond))
	}
}

// runES runs pipe once (runOnce); for an elasticsearch scenario it deletes
// the index first, and afterwards checks that every event is in it and
// deletes it.
func runES(bin string, s scenario) (time.Duration, int64, error) {
	if s.esURL == "" {
		return runOnce(bin, s)
	}
	idx := s.esURL + "/" + s.esIndex
	if _, err := esDo("DELETE", idx+"?ignore_unavailable=true"); err != nil {
		return 0, 0, err
	}
	wall, maxrss, err := runOnce(bin, s)
	if err != nil {
		return 0, 0, err
	}
	if _, err := esDo("POST", idx+"/_refresh"); err != nil {
		return 0, 0, err
	}
	b, err := esDo("GET", idx+"/_count")
	if err != nil {
		return 0, 0, err
	}
	var count struct {
		Count int `json:"count"`
	}
	if err := json.Unmarshal(b, &count); err != nil {
		return 0, 0, fmt.Errorf("%s/_count: %w: %s", idx, err, b)
	}
	if count.Count != s.events {
		return 0, 0, fmt.Errorf("%s has %d documents, want %d", idx, count.Count, s.events)
	}
	if _, err := esDo("DELETE", idx); err != nil {
		return 0, 0, err
	}
	return wall, maxrss, nil
}

func esDo(method, u string) ([]byte, error) {
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, b)
	}
	return b, nil
}

// runOnce runs pipe once and returns its wall time and peak RSS in KiB.
func runOnce(bin string, s scenario) (time.Duration, int64, error) {
	if len(s.tcpFiles) > 0 {
		return runTCP(bin, s)
	}
	if s.kafkaProcs > 0 {
		return runKafka(bin, s)
	}
	cmd := exec.Command(bin, append([]string{"--log.level", "warn"}, s.args...)...)
	if s.stdin != "" {
		f, err := os.Open(s.stdin)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		cmd.Stdin = f
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return 0, 0, err
	}
	defer devnull.Close()
	cmd.Stdout = devnull
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("pipe: %w", err)
	}
	wall := time.Since(start)
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var maxrss int64
	if ru != nil {
		maxrss = ru.Maxrss
	}
	return wall, maxrss, nil
}

// runTCP starts pipe, waits until its tcp input listens, sends every file
// over its own connection, stops pipe with SIGTERM and times it until it has
// drained and exited. The harness streams the files, so its own memory
// (which Linux folds into the child's peak RSS) stays small.
func runTCP(bin string, s scenario) (time.Duration, int64, error) {
	cmd := exec.Command(bin, append([]string{"--log.level", "debug"}, s.args...)...)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return 0, 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	listening := make(chan struct{})
	closed := make(chan struct{}, len(s.tcpFiles))
	finished := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			line := sc.Text()
			if !once && strings.Contains(line, "tcp input listening") {
				once = true
				close(listening)
			}
			if strings.Contains(line, "tcp connection closed") {
				closed <- struct{}{}
			}
			if strings.Contains(line, "pipeline finished") {
				finished <- line
			}
		}
	}()
	select {
	case <-listening:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		return 0, 0, fmt.Errorf("pipe's tcp input did not listen")
	}
	start := time.Now()
	errs := make(chan error, len(s.tcpFiles))
	for _, f := range s.tcpFiles {
		go func() {
			conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", s.tcpPort))
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			fh, err := os.Open(f)
			if err != nil {
				errs <- err
				return
			}
			defer fh.Close()
			_, err = io.CopyBuffer(conn, fh, make([]byte, 256<<10))
			errs <- err
		}()
	}
	for range s.tcpFiles {
		if err := <-errs; err != nil {
			_ = cmd.Process.Kill()
			return 0, 0, err
		}
	}
	// Stop once pipe has read every connection to its end.
	for range s.tcpFiles {
		<-closed
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		return 0, 0, fmt.Errorf("pipe: %w", err)
	}
	wall := time.Since(start)
	select {
	case line := <-finished:
		if !strings.Contains(line, fmt.Sprintf("events_out=%d", s.events)) {
			return 0, 0, fmt.Errorf("not every event went through: %s", line)
		}
	default:
		return 0, 0, fmt.Errorf("no pipeline summary in pipe's log")
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	var maxrss int64
	if ru != nil {
		maxrss = ru.Maxrss
	}
	return wall, maxrss, nil
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func writeLines(path string, n int, format string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, format+"\n", i)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func writeEvents(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, pythonLogstashLine+"\n", i)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// kafkaTopic creates a topic of 6 partitions with e2e/kafka/topic.sh and
// produces n JSON records of 300 bytes into it with kcat.
func kafkaTopic(dir, boot string, n int) (string, error) {
	topic := fmt.Sprintf("pipe-load-%d", time.Now().UnixNano())
	create := exec.Command("bash", "e2e/kafka/topic.sh", "create", topic, "6")
	create.Env = append(os.Environ(), "KAFKA_BOOTSTRAP="+boot)
	if b, err := create.CombinedOutput(); err != nil {
		return "", fmt.Errorf("create topic %s: %w\n%s", topic, err, b)
	}
	data := filepath.Join(dir, "kafka-records.jsonl")
	f, err := os.Create(data)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	const size = 300
	for i := 0; i < n; i++ {
		rec := fmt.Sprintf(`{"n":%d,"level":"INFO","host":"vm","logger_name":"load","message":"`, i)
		pad := size - len(rec) - len(`"}`)
		fmt.Fprintf(w, "%s%s\"}\n", rec, strings.Repeat("x", max(pad, 0)))
	}
	if err := w.Flush(); err != nil {
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	start := time.Now()
	if b, err := exec.Command("kcat", "-b", boot, "-t", topic, "-P", "-l", data).CombinedOutput(); err != nil {
		return "", fmt.Errorf("kcat produce: %w\n%s", err, b)
	}
	fmt.Fprintf(os.Stderr, "load: produced %d records of %d bytes to %s in %s\n", n, size, topic, time.Since(start).Round(time.Millisecond))
	return topic, nil
}

// runKafka starts s.kafkaProcs pipe processes in a fresh consumer group,
// counts the dots they print until s.events are out, then stops them with
// SIGTERM; every process must exit 0 and together they must have read at
// least s.events (events_in of "pipeline finished"). The time runs from the
// start to the last dot.
func runKafka(bin string, s scenario) (time.Duration, int64, error) {
	group := fmt.Sprintf("pipe-load-%d", time.Now().UnixNano())
	args := slices.Clone(s.args)
	args[1] = fmt.Sprintf(args[1], group)
	var dots atomic.Int64
	var cmds []*exec.Cmd
	var stderrs []*strings.Builder
	var readers sync.WaitGroup
	kill := func() {
		for _, c := range cmds {
			_ = c.Process.Kill()
		}
	}
	start := time.Now()
	for i := 0; i < s.kafkaProcs; i++ {
		cmd := exec.Command(bin, append([]string{"--log.level", "info"}, args...)...)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return 0, 0, err
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			kill()
			return 0, 0, err
		}
		cmds, stderrs = append(cmds, cmd), append(stderrs, &stderr)
		readers.Go(func() {
			buf := make([]byte, 64<<10)
			for {
				k, err := stdout.Read(buf)
				dots.Add(int64(bytes.Count(buf[:k], []byte{'.'})))
				if err != nil {
					return
				}
			}
		})
	}
	deadline := time.Now().Add(10 * time.Minute)
	for dots.Load() < int64(s.events) {
		if time.Now().After(deadline) {
			kill()
			return 0, 0, fmt.Errorf("%d of %d events out after 10 minutes", dots.Load(), s.events)
		}
		time.Sleep(5 * time.Millisecond)
	}
	wall := time.Since(start)
	for _, c := range cmds {
		_ = c.Process.Signal(syscall.SIGTERM)
	}
	readers.Wait()
	var maxrss, in int64
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			kill()
			return 0, 0, fmt.Errorf("pipe %d: %w\n%s", i, err, stderrs[i].String())
		}
		if ru, _ := c.ProcessState.SysUsage().(*syscall.Rusage); ru != nil {
			maxrss = max(maxrss, ru.Maxrss)
		}
		if m := eventsInRe.FindAllStringSubmatch(stderrs[i].String(), -1); len(m) > 0 {
			k, _ := strconv.ParseInt(m[len(m)-1][1], 10, 64)
			in += k
		}
	}
	if in < int64(s.events) || dots.Load() < int64(s.events) {
		return 0, 0, fmt.Errorf("the processes read %d and output %d events, want %d", in, dots.Load(), s.events)
	}
	return wall, maxrss, nil
}

var eventsInRe = regexp.MustCompile(`"?pipeline finished"?.*events_in=(\d+)`)
