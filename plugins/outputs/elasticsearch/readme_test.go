package elasticsearch_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/conf"
)

// TestReadmeExampleLoads mirrors plugins/all's meta test: the README's first
// HCL example loads without a diagnostic.
func TestReadmeExampleLoads(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```hcl\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("no hcl example")
	}
	_, diags := conf.Load([]conf.Source{{Name: "README.md", Data: m[1]}}, registry(), conf.Options{})
	if diags.HasErrors() {
		var sb strings.Builder
		_ = diags.Write(&sb, nil, false)
		t.Fatalf("example does not load:\n%s", sb.String())
	}
}
