package stdin_test

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pipeproject/pipe/internal/plugintest"
	"github.com/pipeproject/pipe/pipeline"
	"github.com/pipeproject/pipe/plugins/all"
)

// chunkReader returns its text a few bytes per Read, as a pipe may.
type chunkReader struct {
	s string
	n int
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	k := min(r.n, len(r.s), len(p))
	copy(p, r.s[:k])
	r.s = r.s[k:]
	return k, nil
}

func TestStdin(t *testing.T) {
	for _, tc := range []struct {
		name     string
		config   string
		input    string
		messages []string
		hostRef  string
	}{
		{"lines with partial last line", `input { stdin {} }`, "one\ntwo\r\nthree", []string{"one", "two\r", "three"}, "[host][hostname]"},
		{"ECS disabled", `input { stdin { ecs_compatibility = "disabled" } }`, "a\n", []string{"a"}, "host"},
		{"json becomes json_lines", `input { stdin { codec = "json" } }`, "{\"message\":\"x\"}\n{\"message\":\"y\"}\n", []string{"x", "y"}, "[host][hostname]"},
		{"empty input", `input { stdin {} }`, "", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []int{1, 3, 1 << 20} {
				spec := plugintest.Build(t, all.Registry(), tc.config, pipeline.KindInput,
					pipeline.Deps{Stdin: &chunkReader{s: tc.input, n: chunk}})
				in := spec.(pipeline.Input)
				evs := plugintest.RunInput(t, in)
				if len(evs) != len(tc.messages) {
					t.Fatalf("chunk %d: got %d events, want %d", chunk, len(evs), len(tc.messages))
				}
				for i, e := range evs {
					if m, _ := e.Message(); m != tc.messages[i] {
						t.Errorf("chunk %d: event %d message %q, want %q", chunk, i, m, tc.messages[i])
					}
					if _, ok := e.GetString(pipeline.MustFieldRef(tc.hostRef)); !ok {
						t.Errorf("chunk %d: event %d lacks %s", chunk, i, tc.hostRef)
					}
				}
			}
		})
	}
}

func TestStdinKeepsSenderHost(t *testing.T) {
	in := plugintest.Build(t, all.Registry(), `input { stdin { codec = "json_lines" } }`, pipeline.KindInput,
		pipeline.Deps{Stdin: strings.NewReader(`{"host":"sender","message":"m"}` + "\n")}).(pipeline.Input)
	evs := plugintest.RunInput(t, in)
	if h, _ := evs[0].GetString(pipeline.MustFieldRef("host")); h != "sender" {
		t.Fatalf("host = %q, want the sender's", h)
	}
}

// blockingReader returns its text, then blocks until closed.
type blockingReader struct {
	first string
	done  chan struct{}
}

func (r *blockingReader) Read(p []byte) (int, error) {
	if r.first != "" {
		n := copy(p, r.first)
		r.first = r.first[n:]
		return n, nil
	}
	<-r.done
	return 0, io.EOF
}

func TestStdinStopsOnCancelAndKeepsWhatItRead(t *testing.T) {
	r := &blockingReader{first: "a\nb\npartial", done: make(chan struct{})}
	defer close(r.done)
	in := plugintest.Build(t, all.Registry(), `input { stdin {} }`, pipeline.KindInput, pipeline.Deps{Stdin: r}).(pipeline.Input)
	var c plugintest.Collector
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- in.Run(ctx, &c) }()
	for len(c.Events()) < 2 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("stdin did not stop while its read was blocked")
	}
	if n := len(c.Events()); n != 3 {
		t.Fatalf("got %d events, want 3 (the partial line is flushed at stop)", n)
	}
}
