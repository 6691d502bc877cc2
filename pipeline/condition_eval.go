package pipeline

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/dlclark/regexp2"
)

// node is one compiled piece of a condition. Nodes are built at parse time
// and never modified afterwards, so evaluation is safe from many goroutines.
type node interface {
	eval(e *Event) (bool, error)
}

// operand is a field reference or a constant.
type operand struct {
	ref   FieldRef
	val   any
	field bool
	text  string // source text, for messages
}

func (o *operand) get(e *Event) (any, bool) {
	if o.field {
		return e.Get(o.ref)
	}
	return o.val, true
}

// describe names the type of a value read from o, for type errors.
func (o *operand) describe(v any, ok bool) string {
	if !ok {
		return "missing field " + o.text
	}
	if o.field {
		return TypeName(v) + " field " + o.text
	}
	return TypeName(v) + " " + o.text
}

type constNode struct{ v bool }

func (n *constNode) eval(*Event) (bool, error) { return n.v, nil }

// truthyNode is a value alone: Logstash's Truthy.
type truthyNode struct{ o operand }

func (n *truthyNode) eval(e *Event) (bool, error) {
	v, _ := n.o.get(e)
	return truthy(v), nil
}

// truthy is Logstash's valueIsTruthy: false for nil and for anything whose
// string form is "" or "false" (so false, "" and "false"); lists and hashes,
// even empty ones, and every number are true.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != "" && x != "false"
	}
	return true
}

type notNode struct{ x node }

func (n *notNode) eval(e *Event) (bool, error) {
	b, err := n.x.eval(e)
	if err != nil {
		return false, err
	}
	return !b, nil
}

type andNode struct{ l, r node }

func (n *andNode) eval(e *Event) (bool, error) {
	b, err := n.l.eval(e)
	if err != nil || !b {
		return false, err
	}
	return n.r.eval(e)
}

type orNode struct{ l, r node }

func (n *orNode) eval(e *Event) (bool, error) {
	b, err := n.l.eval(e)
	if err != nil {
		return false, err
	}
	if b {
		return true, nil
	}
	return n.r.eval(e)
}

// nandNode is Logstash's eNand: !(l and r).
type nandNode struct{ l, r node }

func (n *nandNode) eval(e *Event) (bool, error) {
	b, err := n.l.eval(e)
	if err != nil {
		return false, err
	}
	if !b {
		return true, nil
	}
	b, err = n.r.eval(e)
	if err != nil {
		return false, err
	}
	return !b, nil
}

// xorNode is Logstash's eXor: (!l and r) or (l and !r).
type xorNode struct{ l, r node }

func (n *xorNode) eval(e *Event) (bool, error) {
	a, err := n.l.eval(e)
	if err != nil {
		return false, err
	}
	b, err := n.r.eval(e)
	if err != nil {
		return false, err
	}
	return a != b, nil
}

// eqStringNode is the common [field] == "string" (or !=).
type eqStringNode struct {
	ref FieldRef
	s   string
	neg bool
}

func (n *eqStringNode) eval(e *Event) (bool, error) {
	v, _ := e.Get(n.ref)
	s, ok := v.(string)
	return (ok && s == n.s) != n.neg, nil
}

// eqNode is == or != between any two operands.
type eqNode struct {
	l, r operand
	neg  bool
}

func (n *eqNode) eval(e *Event) (bool, error) {
	a, _ := n.l.get(e)
	b, _ := n.r.get(e)
	return valuesEqual(a, b) != n.neg, nil
}

// valuesEqual is == on event values: numbers by value whatever their type,
// lists element-wise, hashes by key set and values whatever the key order,
// timestamps by instant, anything else only with the same type and value.
func valuesEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		switch y := b.(type) {
		case int64:
			return x == y
		case float64:
			return intFloatCompare(x, y) == 0
		}
		return false
	case float64:
		switch y := b.(type) {
		case float64:
			return x == y
		case int64:
			return intFloatCompare(y, x) == 0
		}
		return false
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case Timestamp:
		y, ok := b.(Timestamp)
		return ok && x.t.Equal(y.t)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !valuesEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case *Map:
		y, ok := b.(*Map)
		if !ok || x.Len() != y.Len() {
			return false
		}
		if x == y {
			return true
		}
		for i := range x.entries {
			w, ok := y.Get(x.entries[i].key)
			if !ok || !valuesEqual(x.entries[i].val, w) {
				return false
			}
		}
		return true
	}
	return false
}

// intFloatCompare compares an integer with a float exactly: -1, 0 or +1, or
// 2 when f is NaN.
func intFloatCompare(i int64, f float64) int {
	switch {
	case math.IsNaN(f):
		return 2
	case f >= 0x1p63:
		return -1
	case f < -0x1p63:
		return 1
	}
	t := math.Trunc(f)
	j := int64(t)
	switch {
	case i < j:
		return -1
	case i > j:
		return 1
	case f > t:
		return -1
	case f < t:
		return 1
	}
	return 0
}

// compareValues orders two numbers, two strings or two timestamps; ok is
// false for any other pair (or a NaN).
func compareValues(a, b any) (c int, ok bool) {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpOrdered(x, y), true
		case float64:
			c := intFloatCompare(x, y)
			return c, c != 2
		}
	case float64:
		switch y := b.(type) {
		case float64:
			if math.IsNaN(x) || math.IsNaN(y) {
				return 0, false
			}
			return cmpOrdered(x, y), true
		case int64:
			c := intFloatCompare(y, x)
			return -c, c != 2
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case Timestamp:
		if y, ok := b.(Timestamp); ok {
			return x.t.Compare(y.t), true
		}
	}
	return 0, false
}

func cmpOrdered[T int64 | float64](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

type cmpOp uint8

const (
	opLT cmpOp = iota
	opGT
	opLE
	opGE
)

var cmpOpNames = [...]string{opLT: "<", opGT: ">", opLE: "<=", opGE: ">="}

// cmpNode is <, >, <= or >=.
type cmpNode struct {
	l, r operand
	op   cmpOp
	text string
}

func (n *cmpNode) eval(e *Event) (bool, error) {
	a, aok := n.l.get(e)
	b, bok := n.r.get(e)
	c, ok := compareValues(a, b)
	if !ok {
		return false, n.typeError(a, aok, b, bok)
	}
	switch n.op {
	case opLT:
		return c < 0, nil
	case opGT:
		return c > 0, nil
	case opLE:
		return c <= 0, nil
	default:
		return c >= 0, nil
	}
}

func (n *cmpNode) typeError(a any, aok bool, b any, bok bool) error {
	return fmt.Errorf("%w: %s: %q cannot compare %s with %s (it needs two numbers, two strings or two timestamps)",
		ErrConditionType, n.text, cmpOpNames[n.op], n.l.describe(a, aok), n.r.describe(b, bok))
}

// matchNode is =~ or !~.
type matchNode struct {
	l    operand
	re   *regexp.Regexp  // RE2, when the pattern compiles with it
	bt   *regexp2.Regexp // backtracking fallback
	neg  bool
	text string
}

func (n *matchNode) eval(e *Event) (bool, error) {
	v, _ := n.l.get(e)
	s, ok := v.(string)
	if !ok {
		return n.neg, nil
	}
	var m bool
	if n.re != nil {
		m = n.re.MatchString(s)
	} else {
		var err error
		if m, err = n.bt.MatchString(s); err != nil {
			return false, fmt.Errorf("condition %s: %w", n.text, err)
		}
	}
	return m != n.neg, nil
}

// inNode is "in" or "not in" with a right side that is not a list literal.
type inNode struct {
	l, r operand
	neg  bool
}

func (n *inNode) eval(e *Event) (bool, error) {
	a, _ := n.l.get(e)
	b, _ := n.r.get(e)
	return inValues(a, b) != n.neg, nil
}

// inValues is Logstash's "in" (EventCondition's FieldInField and its
// constant variants): substring in a string, membership in a list, equality
// otherwise; never true for a nil, list or hash needle.
func inValues(a, b any) bool {
	switch a.(type) {
	case nil, []any, *Map:
		return false
	}
	switch y := b.(type) {
	case string:
		x, ok := a.(string)
		return ok && strings.Contains(y, x)
	case []any:
		for _, v := range y {
			if valuesEqual(a, v) {
				return true
			}
		}
		return false
	case nil, *Map:
		return false
	}
	return valuesEqual(a, b)
}

// inListNode is "in" or "not in" a list literal. As in Logstash
// (FieldInConstantList), the value and the items are compared by their
// string forms, so 200 and "200" are both in [200, 404].
type inListNode struct {
	l     operand
	items []string
	set   map[string]struct{} // for long lists; read-only
	neg   bool
}

// inListSetMin is the list length from which inListNode uses a set.
const inListSetMin = 12

func (n *inListNode) eval(e *Event) (bool, error) {
	v, _ := n.l.get(e)
	if s, ok := v.(string); ok {
		return n.has(s) != n.neg, nil
	}
	var buf [64]byte
	b, ok := appendScalar(buf[:0], v)
	if !ok {
		return n.neg, nil
	}
	return n.hasBytes(b) != n.neg, nil
}

func (n *inListNode) has(s string) bool {
	if n.set != nil {
		_, ok := n.set[s]
		return ok
	}
	for _, it := range n.items {
		if it == s {
			return true
		}
	}
	return false
}

func (n *inListNode) hasBytes(b []byte) bool {
	if n.set != nil {
		_, ok := n.set[string(b)]
		return ok
	}
	for _, it := range n.items {
		if it == string(b) {
			return true
		}
	}
	return false
}

// appendScalar appends the string form of a number, boolean or timestamp;
// ok is false for nil, lists and hashes.
func appendScalar(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case int64:
		return strconv.AppendInt(dst, x, 10), true
	case float64:
		return appendFloat(dst, x), true
	case bool:
		return strconv.AppendBool(dst, x), true
	case Timestamp:
		return x.AppendISO(dst), true
	}
	return dst, false
}
