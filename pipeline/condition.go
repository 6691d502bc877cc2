package pipeline

import (
	"errors"
	"fmt"
)

// PLACEHOLDER: the condition helper replaces this file with the real parser
// and evaluator. The signatures below are the contract.

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

// Condition is a compiled Logstash conditional expression.
type Condition struct{ src string }

// ParseCondition compiles a condition written in Logstash's syntax.
func ParseCondition(src string) (*Condition, error) {
	return nil, &ConditionError{Message: "conditions are not implemented yet"}
}

// Eval evaluates the condition on an event.
func (c *Condition) Eval(e *Event) (bool, error) { return false, nil }

// String returns the condition's source.
func (c *Condition) String() string { return c.src }
