package serve

import (
	"slices"
	"strconv"
	"strings"
)

// An exception faulty can raise: where in the views it is raised and the
// messages it may carry.
type exception struct {
	kind string
	fn   string // view helper raising it
	line int    // its line in views.py
	code string // the source line
	// tilde, caret and tail mark the failing expression as Python 3.11+
	// tracebacks do: "~" under tilde and tail, "^" under caret (a
	// subscript is value~ then [key]^, a binary operation operand~ op^
	// operand~); empty caret: no marker line.
	tilde, caret, tail string
	// messages are the possible str(exc); "" is an exception without one.
	messages []string
}

// exceptions is faulty's catalogue; the first three are the original's.
func exceptions() []exception {
	return []exception{
		{kind: "AssertionError", fn: "check_stock", line: 18,
			code: "assert stock.level >= 0", caret: "stock.level >= 0",
			messages: []string{"", "", "", "stock level went negative"}},
		{kind: "IndexError", fn: "latest_item", line: 23,
			code: "return items[len(items)]", tilde: "items", caret: "[len(items)]",
			messages: []string{"list index out of range"}},
		{kind: "KeyError", fn: "current_user", line: 28,
			code: "return session[field]", tilde: "session", caret: "[field]",
			messages: []string{"'user'", "'user'", "'session_id'", "'csrftoken'", "'locale'"}},
		{kind: "ValueError", fn: "page_number", line: 33,
			code: "return int(request.GET.get('page', 'first'))", caret: "int(request.GET.get('page', 'first'))",
			messages: []string{"invalid literal for int() with base 10: 'first'"}},
		{kind: "TypeError", fn: "cart_label", line: 38,
			code: "return 'items: ' + len(cart)", tilde: "'items: ' ", caret: "+", tail: " len(cart)",
			messages: []string{`can only concatenate str (not "int") to str`}},
		{kind: "ZeroDivisionError", fn: "average_price", line: 43,
			code: "return total / count", tilde: "total ", caret: "/", tail: " count",
			messages: []string{"division by zero"}},
		{kind: "AttributeError", fn: "user_email", line: 48,
			code: "return profile.user.email", caret: "profile.user",
			messages: []string{"'NoneType' object has no attribute 'user'"}},
	}
}

// ExceptionKinds returns the kinds faulty can raise.
func ExceptionKinds() []string {
	var ks []string
	for _, e := range exceptions() {
		ks = append(ks, e.kind)
	}
	return ks
}

// DefaultExceptionKinds are the original app's kinds.
func DefaultExceptionKinds() []string { return []string{"AssertionError", "IndexError", "KeyError"} }

// IsExceptionKind reports whether faulty can raise kind.
func IsExceptionKind(kind string) bool { return slices.Contains(ExceptionKinds(), kind) }

// Paths of the pretend deployment.
const (
	appDir = "/srv/faulty"
	// ViewsPath is where the views are.
	ViewsPath = appDir + "/example/views.py"
	// TasksPath is where the worker's task is.
	TasksPath = appDir + "/example/tasks.py"
	// logResponseLine is the line of log_response's logging call in
	// django/utils/log.py.
	logResponseLine = 241
)

// SitePackages returns the site-packages directory for a Python version.
func SitePackages(python string) string {
	return "/usr/local/lib/python" + python + "/site-packages"
}

// DjangoLogPath is the pathname of django.request records (log_response
// makes the call).
func DjangoLogPath(python string) string { return SitePackages(python) + "/django/utils/log.py" }

// traceback writes what traceback.format_exception gives for the
// exception raised by e with message msg, through Django's handler.
func traceback(python string, e exception, msg string) string {
	sp := SitePackages(python)
	var b strings.Builder
	b.WriteString("Traceback (most recent call last):\n")
	frame(&b, sp+"/django/core/handlers/exception.py", 55, "inner",
		"response = get_response(request)", "", "get_response(request)", "")
	frame(&b, sp+"/django/core/handlers/base.py", 197, "_get_response",
		"response = wrapped_callback(request, *callback_args, **callback_kwargs)", "",
		"wrapped_callback(request, *callback_args, **callback_kwargs)", "")
	frame(&b, ViewsPath, 58, "index", "return FAILURES[kind](request)", "", "FAILURES[kind](request)", "")
	frame(&b, ViewsPath, e.line, e.fn, e.code, e.tilde, e.caret, e.tail)
	b.WriteString(e.kind)
	if msg != "" {
		b.WriteString(": ")
		b.WriteString(msg)
	}
	b.WriteByte('\n')
	return b.String()
}

func frame(b *strings.Builder, file string, line int, fn, code, tilde, caret, tail string) {
	b.WriteString("  File \"")
	b.WriteString(file)
	b.WriteString("\", line ")
	b.WriteString(strconv.Itoa(line))
	b.WriteString(", in ")
	b.WriteString(fn)
	b.WriteString("\n    ")
	b.WriteString(code)
	b.WriteByte('\n')
	if caret == "" {
		return
	}
	expr := tilde + caret + tail
	at := strings.Index(code, expr)
	if at < 0 || len(expr) == len(code) {
		// Python 3.11 leaves out a marker that would span the whole line.
		return
	}
	b.WriteString("    ")
	b.WriteString(strings.Repeat(" ", at))
	b.WriteString(strings.Repeat("~", len(tilde)))
	b.WriteString(strings.Repeat("^", len(caret)))
	b.WriteString(strings.Repeat("~", len(tail)))
	b.WriteByte('\n')
}
