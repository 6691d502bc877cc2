package pipeline

import (
	"errors"
	"fmt"
)

// ErrConditionType is wrapped by Eval's error when a comparison meets values
// of types it cannot compare (Logstash's type error in a conditional).
var ErrConditionType = errors.New("type error in condition")

// ConditionError is a syntax error in a condition, at byte Offset of the
// condition's source text.
type ConditionError struct {
	Offset  int
	Message string
}

// Error implements error.
func (e *ConditionError) Error() string { return fmt.Sprintf("at offset %d: %s", e.Offset, e.Message) }

// Condition is a compiled Logstash conditional expression: the text that
// follows "if" or "else if" in a Logstash configuration. It is immutable once
// parsed and safe for concurrent use by any number of goroutines.
//
// # Syntax
//
// The grammar is Logstash's (lscl_grammar.treetop):
//
//	condition  = expression { boolop expression }
//	boolop     = "and" | "or" | "nand" | "xor"
//	expression = "(" condition ")"
//	           | "!" ( "(" condition ")" | fieldref )
//	           | rvalue ( "in" | "not in" ) rvalue
//	           | rvalue ( "==" | "!=" | "<" | ">" | "<=" | ">=" ) rvalue
//	           | rvalue ( "=~" | "!~" ) ( regex | string )
//	           | rvalue
//	rvalue     = string | number | fieldref | list
//
// Strings are in double or single quotes; \" (or \') does not end the string
// and, as in Logstash without config.support_escapes, backslashes are kept
// as written. Numbers are -?[0-9]+(.[0-9]*)?: with a dot they are floats,
// without they are integers. A regex is /.../ where \/ does not end it; it
// is written in Ruby's syntax, compiled once with Go's RE2 engine in
// multi-line mode (^ and $ match at line ends, as in Ruby) and, when RE2
// rejects it (look-around, back-references, ...), with a backtracking
// engine. A field reference is one or more [name] parts with no quote,
// comma or bracket inside; anything else in brackets is a list literal
// ([1, "a", 2.5], ["only"], []), whose items are strings, numbers, nested
// lists or bare words (taken as strings). This departs from Logstash on
// purpose: Logstash reads ["only"] as a field whose name is "only" with its
// quotes (elastic/logstash#1850, #9932), so a one-item list never matches.
// Keywords are lower case. '#' starts a comment that runs to the end of the
// line.
//
// Operators are grouped as Logstash's Java pipeline compiler groups them:
// "and" binds tighter than "or", using Logstash's own operator-stack
// algorithm, whose single quirk is kept: after two or more "and"s in a row,
// a following "or" takes only the last "and" operand with it, so
// "a and b and c or d" means "a and ((b and c) or d)". Add parentheses to
// be clear. "nand" and "xor" have no precedence in Logstash: they are
// accepted only as the single boolean operator of a (parenthesised) level.
// "!" applies only to a field reference or a parenthesised condition.
//
// # Semantics
//
// Missing fields read as nil. A value alone is true unless it is nil, false,
// "" or "false". == and != never fail: numbers compare by value (1 == 1.0),
// lists and hashes deeply, values of different types are unequal, and two
// missing fields are equal. <, >, <= and >= compare two numbers, two strings
// (byte-wise) or two timestamps; anything else, a missing field included, is
// a type error: Eval returns false and an error wrapping ErrConditionType.
// =~ is false and !~ true for a value that is not a string. "x in y" is a
// substring test when y is a string (x must be a string), a membership test
// when y is a list (with == equality for a list in the event, and by string
// form for a list literal, so [code] in [200, 404] matches 200 and "200"),
// and equality otherwise; it is false when x is nil, a list or a hash, and
// when y is nil or a hash (hash keys are not searched).
type Condition struct {
	src  string
	root node
}

// ParseCondition compiles a condition written in Logstash's syntax. Its
// errors are *ConditionError.
func ParseCondition(src string) (*Condition, error) {
	p := &parser{src: src}
	root, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &Condition{src: src, root: root}, nil
}

// Eval evaluates the condition on an event. On a type error (see Condition)
// it returns false and an error wrapping ErrConditionType.
func (c *Condition) Eval(e *Event) (bool, error) { return c.root.eval(e) }

// String returns the condition's source as written.
func (c *Condition) String() string { return c.src }
