package conf

import (
	"strings"
	"testing"

	"github.com/pipeproject/pipe/pipeline/dlq"
)

func TestDeadLetterQueueSettings(t *testing.T) {
	for _, tc := range []struct {
		block string
		want  dlq.Config
	}{
		{``, dlq.Config{}},
		{`dead_letter_queue { enable = true }`, dlq.Config{Enable: true}},
		{`dead_letter_queue { max_bytes = 1073741824 }`, dlq.Config{MaxBytes: 1 << 30}},
		{`dead_letter_queue { max_bytes = "1024mb" }`, dlq.Config{MaxBytes: 1 << 30}},
		{`dead_letter_queue { max_bytes = "10 KB" }`, dlq.Config{MaxBytes: 10 << 10}},
		{`dead_letter_queue { storage_policy = "drop_newer" }`, dlq.Config{StoragePolicy: "drop_newer"}},
	} {
		spec := mustLoad(t, "pipeline {\n"+tc.block+"\n}\ninput { stdin {} }\noutput { null {} }\n")
		if got := spec.Settings.DeadLetterQueue; got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.block, got, tc.want)
		}
	}
	// The defaults, as the engine applies them.
	d := dlq.Config{}.WithDefaults()
	if d.Path != "data/dead_letter_queue" || d.MaxBytes != 1<<30 || d.StoragePolicy != "drop_newer" || d.FlushIntervalMillis != 5000 {
		t.Errorf("defaults %+v", d)
	}
}

func TestDeadLetterQueueSettingsErrors(t *testing.T) {
	for block, want := range map[string]string{
		`dead_letter_queue { max_bytes = 1.5 }`:      "whole number",
		`dead_letter_queue { max_bytes = true }`:     "not a bool",
		`dead_letter_queue { max_bytes = "-3mb" }`:   "want a number of bytes",
		`dead_letter_queue "x" { enable = true }`:    "Extraneous label",
		`dead_letter_queue { enable = "maybe" }`:     "a bool is required",
		"dead_letter_queue {}\ndead_letter_queue {}": "Duplicate dead_letter_queue block",
	} {
		src := []Source{{Name: "t.hcl", Data: []byte("pipeline {\n" + block + "\n}\n")}}
		_, diags := Load(src, testRegistry(), Options{})
		var b strings.Builder
		_ = diags.Write(&b, src, false)
		if !diags.HasErrors() || !strings.Contains(b.String(), want) {
			t.Errorf("%s: want an error containing %q, got:\n%s", block, want, b.String())
		}
	}
}
