package conf

import (
	"fmt"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2"
)

func TestExp(t *testing.T) {
	src := "a {\n  x = \"%%%{a}\"\n  y = \"ab\\\\cd\"\n  z = <<EOF\n  q\\d %%{x}\n  EOF\n}\nif \"c\\\"d\" {\n}\nelse if \"x\" {}\n"
	f, d := hclsyntax.ParseConfig([]byte(src), "f", hcl.InitialPos)
	fmt.Println(d)
	b := f.Body.(*hclsyntax.Body)
	for _, bl := range b.Blocks {
		fmt.Printf("%s %q %v\n", bl.Type, bl.Labels, bl.LabelRanges)
		for n, a := range bl.Body.Attributes {
			v, _ := a.Expr.Value(nil)
			fmt.Printf("  %s %#v %v %T\n", n, v.AsString(), a.Expr.Range(), a.Expr)
			if te, ok := a.Expr.(*hclsyntax.TemplateExpr); ok {
				for _, p := range te.Parts { fmt.Printf("    %T %v\n", p, p.Range()) }
			}
		}
	}
	for _, s := range []string{"a { b {} }", "a { x = 1 y = 2 }", "a { x = 1 }", "a {\n}\n", "a {} else {}"} {
		_, d := hclsyntax.ParseConfig([]byte(s), "f", hcl.InitialPos)
		fmt.Println(s, "=>", d)
	}
}
