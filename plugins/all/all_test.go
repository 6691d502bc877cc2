package all

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/conf"
	"github.com/pipeproject/pipe/pipeline"
)

var kinds = map[string]pipeline.Kind{
	"inputs": pipeline.KindInput, "filters": pipeline.KindFilter,
	"outputs": pipeline.KindOutput, "codecs": pipeline.KindCodec,
}

// dirName maps a plugin name to its folder (json_lines lives in jsonlines,
// a Go package name).
func dirName(name string) string { return strings.ReplaceAll(name, "_", "") }

var hclBlock = regexp.MustCompile("(?s)```hcl\n(.*?)```")

// TestEveryPluginFolderIsRegisteredDocumentedAndItsExampleLoads is the
// meta test of DESIGN.md: every plugin folder is in the registry, has a
// README, and the README's first HCL example loads without a diagnostic.
func TestEveryPluginFolderIsRegisteredDocumentedAndItsExampleLoads(t *testing.T) {
	reg := Registry()
	seen := map[pipeline.Kind]map[string]bool{}
	for dir, kind := range kinds {
		entries, err := os.ReadDir(filepath.Join("..", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !e.IsDir() || e.Name() == "internal" || e.Name() == "lines" {
				continue
			}
			folder := filepath.Join("..", dir, e.Name())
			t.Run(dir+"/"+e.Name(), func(t *testing.T) {
				var name string
				for _, n := range reg.Names(kind) {
					if dirName(n) == e.Name() {
						name = n
					}
				}
				if name == "" {
					t.Fatalf("folder %s holds no registered %s plugin (add it to plugins/all)", folder, kind)
				}
				if seen[kind] == nil {
					seen[kind] = map[string]bool{}
				}
				seen[kind][name] = true
				readme, err := os.ReadFile(filepath.Join(folder, "README.md"))
				if err != nil {
					t.Fatalf("no README: %v", err)
				}
				for _, section := range []string{"## Options", "## Differences from Logstash"} {
					if !strings.Contains(string(readme), section) {
						t.Errorf("README lacks %q", section)
					}
				}
				m := hclBlock.FindSubmatch(readme)
				if m == nil {
					t.Fatal("README has no ```hcl example")
				}
				example := string(m[1])
				if kind == pipeline.KindCodec {
					// A codec example is a codec option: put it in an output.
					if !strings.Contains(example, "output") && !strings.Contains(example, "input") {
						example = "output {\n  stdout {\n" + example + "\n  }\n}\n"
					}
				}
				spec, diags := conf.Load([]conf.Source{{Name: "README.md", Data: []byte(example)}}, reg, conf.Options{DefaultIO: true})
				if diags.HasErrors() {
					var b strings.Builder
					_ = diags.Write(&b, nil, false)
					t.Fatalf("README example does not load:\n%s\n%s", example, b.String())
				}
				if _, err := pipeline.New(spec, pipeline.Options{Registry: reg}); err != nil {
					t.Fatalf("README example does not build: %v", err)
				}
			})
		}
	}
	for kind := range map[pipeline.Kind]bool{pipeline.KindInput: true, pipeline.KindFilter: true, pipeline.KindOutput: true, pipeline.KindCodec: true} {
		for _, n := range reg.Names(kind) {
			if !seen[kind][n] {
				t.Errorf("registered %s plugin %q has no folder under plugins/", kind, n)
			}
		}
	}
}
