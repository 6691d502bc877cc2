package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// kafkaBroker is the Kafka broker the tests use: KAFKA_BOOTSTRAP when set,
// else a real Apache Kafka (KRaft, single node) started from Maven Central
// by e2e/kafka/start.sh and stopped after the test. A broker that cannot
// start fails the test: it is never skipped.
func kafkaBroker(t *testing.T) string {
	t.Helper()
	if b := os.Getenv("KAFKA_BOOTSTRAP"); b != "" {
		t.Logf("Kafka broker from KAFKA_BOOTSTRAP: %s", b)
		return b
	}
	cmd := exec.Command("bash", "kafka/start.sh")
	cmd.Env = append(os.Environ(), "KAFKA_PORT="+fmt.Sprint(freePorts(t, 1)[0]))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("e2e/kafka/start.sh could not start the broker: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	fields := map[string]string{}
	for _, kv := range strings.Fields(lines[len(lines)-1]) {
		if k, v, ok := strings.Cut(kv, "="); ok {
			fields[k] = v
		}
	}
	boot := fields["KAFKA_BOOTSTRAP"]
	if boot == "" {
		t.Fatalf("e2e/kafka/start.sh printed no KAFKA_BOOTSTRAP:\n%s", out)
	}
	port := boot[strings.LastIndexByte(boot, ':')+1:]
	t.Cleanup(func() {
		if b, err := exec.Command("bash", "kafka/stop.sh", port).CombinedOutput(); err != nil {
			t.Errorf("e2e/kafka/stop.sh: %v\n%s", err, b)
		}
	})
	t.Logf("Kafka broker: Apache Kafka %s at %s", fields["KAFKA_VERSION"], boot)
	return boot
}

// TestKafkaEveryRecordOnce produces 100k records with kcat to a topic of 6
// partitions, reads them all with one pipe, checks each arrived exactly
// once with its decorate_events fields, and that a second pipe in the same
// group finds nothing left: offsets were committed for what was delivered.
func TestKafkaEveryRecordOnce(t *testing.T) {
	boot := kafkaBroker(t)
	const n = 100000
	topic := fmt.Sprintf("pipe-e2e-%d", time.Now().UnixNano())
	create := exec.Command("bash", "kafka/topic.sh", "create", topic, "6")
	create.Env = append(os.Environ(), "KAFKA_BOOTSTRAP="+boot)
	if b, err := create.CombinedOutput(); err != nil {
		t.Fatalf("create topic: %v\n%s", err, b)
	}
	data := filepath.Join(t.TempDir(), "records.txt")
	f, err := os.Create(data)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "key%d:{\"n\":%d,\"message\":\"record %d\"}\n", i, i, i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if b, err := exec.Command("kcat", "-b", boot, "-t", topic, "-P", "-K:", "-l", data).CombinedOutput(); err != nil {
		t.Fatalf("kcat produce: %v\n%s", err, b)
	}

	config := fmt.Sprintf(`
input {
  kafka {
    bootstrap_servers = "%s"
    topics            = ["%s"]
    group_id          = "pipe-e2e"
    auto_offset_reset = "earliest"
    codec             = "json"
    decorate_events   = "basic"
  }
}
filter {
  drop {
    percentage = 0
    add_field  = {
      "partition" = "%%{[@metadata][kafka][partition]}"
      "offset"    = "%%{[@metadata][kafka][offset]}"
      "key"       = "%%{[@metadata][kafka][key]}"
      "topic"     = "%%{[@metadata][kafka][topic]}"
    }
  }
}
output {
  stdout { codec = "json_lines" }
}
`, boot, topic)
	rp := startListening(t, config, 0)
	evs := rp.waitLines(t, n)
	rp.stop(t)
	if len(evs) != n {
		t.Fatalf("got %d records, want %d\n%s", len(evs), n, rp.log())
	}
	seen := make([]bool, n)
	partitions := map[string]int{}
	for _, e := range evs {
		i := int(e["n"].(float64))
		if seen[i] {
			t.Fatalf("record %d delivered twice", i)
		}
		seen[i] = true
		if e["key"] != fmt.Sprintf("key%d", i) || e["topic"] != topic || e["offset"] == "" {
			t.Fatalf("decorate_events fields wrong: %v", e)
		}
		partitions[fmt.Sprint(e["partition"])]++
	}
	if len(partitions) != 6 {
		t.Errorf("records came from %d partitions, want 6: %v", len(partitions), partitions)
	}

	// Everything delivered was committed: the group has nothing left.
	rp2 := startListening(t, config, 0)
	time.Sleep(8 * time.Second) // time for the group to join and fetch (nothing may come)
	rp2.stop(t)
	if got := len(rp2.waitLines(t, 0)); got != 0 {
		t.Fatalf("a second pipe in the same group got %d records: offsets were not committed", got)
	}
}
