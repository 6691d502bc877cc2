package conf

import (
	"os"
	"testing"
)

// TestExamplesLogstashTwin checks that conf/examples/faulty.conf, the
// Logstash-language twin of faulty.hcl, builds the same plugin graph and
// options; only the pipeline's settings differ (a .conf has no pipeline
// block: conf/examples/pipelines.yml sets its ECS mode).
func TestExamplesLogstashTwin(t *testing.T) {
	load := func(name string) string {
		t.Helper()
		data, err := os.ReadFile("examples/" + name)
		if err != nil {
			t.Fatal(err)
		}
		spec, diags := Load([]Source{{Name: name, Data: data}}, lsRegistry(), Options{Env: map[string]string{}})
		if diags.HasErrors() {
			t.Fatalf("%s: %v", name, diags)
		}
		return renderSpec(spec, true)
	}
	hcl, ls := load("faulty.hcl"), load("faulty.conf")
	if hcl != ls {
		t.Fatalf("faulty.conf and faulty.hcl differ:\n--- faulty.hcl\n%s\n--- faulty.conf\n%s", hcl, ls)
	}
}
