package stdout_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
)

func TestStdoutKeepsEventsWholeUnderConcurrentWrites(t *testing.T) {
	var buf plugintest.SyncBuffer
	o := plugintest.Build(t, all.Registry(), `output { stdout { codec = "json_lines" } }`, pipeline.KindOutput,
		pipeline.Deps{Stdout: &buf}).(pipeline.Output)
	var wg sync.WaitGroup
	big := strings.Repeat("x", 10000)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < 20; b++ {
				evs := make([]*pipeline.Event, 50)
				for i := range evs {
					evs[i] = pipeline.NewMessageEvent(fmt.Sprintf("w%d-b%d-%d-%s", w, b, i, big))
				}
				if err := o.Write(context.Background(), evs); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 4*20*50 {
		t.Fatalf("got %d lines, want %d", len(lines), 4*20*50)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, `{"@timestamp":"`) || !strings.HasSuffix(l, `"}`) {
			t.Fatalf("interleaved or broken line: %.80q", l)
		}
	}
}

func TestStdoutDefaultCodecIsRubydebug(t *testing.T) {
	var buf plugintest.SyncBuffer
	o := plugintest.Build(t, all.Registry(), `output { stdout {} }`, pipeline.KindOutput, pipeline.Deps{Stdout: &buf}).(pipeline.Output)
	if err := o.Write(context.Background(), []*pipeline.Event{pipeline.NewMessageEvent("hi")}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"message" => "hi"`) {
		t.Fatalf("not rubydebug:\n%s", buf.String())
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestStdoutReportsWriteErrors(t *testing.T) {
	o := plugintest.Build(t, all.Registry(), `output { stdout { codec = "dots" } }`, pipeline.KindOutput, pipeline.Deps{Stdout: failWriter{}}).(pipeline.Output)
	err := o.Write(context.Background(), []*pipeline.Event{pipeline.NewMessageEvent("x")})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v", err)
	}
}
