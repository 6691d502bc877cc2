package conf

import (
	"fmt"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/pipeproject/pipe/pipeline/dlq"
)

// dlqConfig is the dead_letter_queue block inside pipeline { }: Logstash's
// dead_letter_queue.* settings. Pointers tell which were given.
type dlqConfig struct {
	Enable        *bool          `hcl:"enable,optional"`
	Path          *string        `hcl:"path,optional"`
	MaxBytes      *hcl.Attribute `hcl:"max_bytes,optional"`
	StoragePolicy *string        `hcl:"storage_policy,optional"`
	FlushInterval *int           `hcl:"flush_interval,optional"`
}

var storagePolicies = []string{dlq.DropNewer, dlq.DropOlder}

// dlqBlock returns the dead_letter_queue block of the pipeline block.
func dlqBlock(b *hclsyntax.Block) *hclsyntax.Block {
	for _, nb := range b.Body.Blocks {
		if nb.Type == "dead_letter_queue" {
			return nb
		}
	}
	return nil
}

// dlqRetype rewords type errors of the dead_letter_queue block's options
// (as settings does for its own) and records them in failed.
func (l *loader) dlqRetype(b *hclsyntax.Block, diags hcl.Diagnostics, failed map[string]bool) {
	nb := dlqBlock(b)
	if nb == nil {
		return
	}
	for _, d := range diags {
		for name, a := range nb.Body.Attributes {
			if d.Subject != nil && a.Expr.Range().Overlaps(*d.Subject) {
				l.retype(d, name, a.Expr)
				failed["dead_letter_queue."+name] = true
			}
		}
	}
}

// deadLetterQueue checks the dead_letter_queue block and sets the settings.
func (l *loader) deadLetterQueue(b *hclsyntax.Block, c *dlqConfig, failed map[string]bool) {
	nb := dlqBlock(b)
	if c == nil || nb == nil {
		return
	}
	at := func(name string) hcl.Range { return nb.Body.Attributes[name].Expr.Range() }
	ok := func(name string, given bool) bool { return given && !failed["dead_letter_queue."+name] }
	s := &l.spec.Settings.DeadLetterQueue
	if ok("enable", c.Enable != nil) {
		s.Enable = *c.Enable
	}
	if ok("path", c.Path != nil) {
		if *c.Path == "" {
			l.errorf(at("path"), "Empty dead_letter_queue path", fmt.Sprintf("Give a folder, or leave path out for %q.", dlq.DefaultPath))
		}
		s.Path = *c.Path
	}
	if c.MaxBytes != nil {
		if n, good := l.size(c.MaxBytes); good {
			s.MaxBytes = n
		}
	}
	if ok("storage_policy", c.StoragePolicy != nil) {
		v := *c.StoragePolicy
		switch v {
		case dlq.DropNewer, dlq.DropOlder:
			s.StoragePolicy = v
		default:
			detail := `Use "drop_newer" or "drop_older".`
			if sg := suggest(v, storagePolicies); sg != "" {
				detail = fmt.Sprintf("Did you mean %q? %s", sg, detail)
			}
			l.errorf(at("storage_policy"), fmt.Sprintf("Invalid storage_policy %q", v), detail)
		}
	}
	if ok("flush_interval", c.FlushInterval != nil) {
		if *c.FlushInterval < 1 {
			l.errorf(at("flush_interval"), "Invalid flush_interval",
				fmt.Sprintf("flush_interval is in milliseconds and must be at least 1, not %d.", *c.FlushInterval))
		} else {
			s.FlushIntervalMillis = *c.FlushInterval
		}
	}
}

// size reads max_bytes: a positive number of bytes, or a string such as
// "1024mb" (dlq.ParseBytes).
func (l *loader) size(a *hcl.Attribute) (int64, bool) {
	v, diags := a.Expr.Value(l.ctx)
	l.addHCL(diags)
	if diags.HasErrors() {
		return 0, false
	}
	rng := a.Expr.Range()
	bad := func(detail string) (int64, bool) {
		l.errorf(rng, "Invalid max_bytes", detail)
		return 0, false
	}
	if v.IsNull() || !v.IsKnown() {
		return bad("max_bytes must be a number of bytes or a size such as \"1024mb\".")
	}
	var n int64
	switch v.Type() {
	case cty.Number:
		bf := v.AsBigFloat()
		if !bf.IsInt() {
			return bad(fmt.Sprintf("max_bytes must be a whole number of bytes, not %s.", bf.Text('g', -1)))
		}
		i, acc := bf.Int64()
		if acc != big.Exact {
			return bad("max_bytes is too large.")
		}
		n = i
	case cty.String:
		i, err := dlq.ParseBytes(v.AsString())
		if err != nil {
			return bad(fmt.Sprintf("%v.", err))
		}
		n = i
	default:
		return bad(fmt.Sprintf("max_bytes must be a number of bytes or a size such as \"1024mb\", not %s.", typeName(v.Type())))
	}
	if n < 1 {
		return bad(fmt.Sprintf("max_bytes must be at least 1, not %d.", n))
	}
	return n, true
}
