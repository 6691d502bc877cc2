package pipeline

import "testing"

func benchCondition(b *testing.B, src string, want bool) {
	c, err := ParseCondition(src)
	if err != nil {
		b.Fatal(err)
	}
	e := condBenchEvent(b)
	if got, err := c.Eval(e); got != want || err != nil {
		b.Fatalf("Eval(%q) = %v, %v; want %v", src, got, err, want)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_, _ = c.Eval(e)
	}
}

func BenchmarkConditionEqString(b *testing.B) {
	benchCondition(b, `[type] == "syslog"`, true)
}

func BenchmarkConditionEqNestedField(b *testing.B) {
	benchCondition(b, `[log][file][path] != "/var/log/messages"`, true)
}

func BenchmarkConditionInTags(b *testing.B) {
	benchCondition(b, `"_grokparsefailure" in [tags]`, true)
}

func BenchmarkConditionInList(b *testing.B) {
	benchCondition(b, `[level] in ["WARN", "ERROR", "CRITICAL"]`, true)
}

func BenchmarkConditionNumber(b *testing.B) {
	benchCondition(b, `[status] >= 500`, true)
}

func BenchmarkConditionRegex(b *testing.B) {
	benchCondition(b, `[message] =~ /timeout\s+\d+/`, true)
}

func BenchmarkConditionRegexBacktracking(b *testing.B) {
	benchCondition(b, `[message] =~ /(?<=request )timeout/`, true)
}

func BenchmarkConditionCompound(b *testing.B) {
	// [level] is not in the list, so every part is evaluated.
	benchCondition(b, `[type] == "syslog" and ([level] in ["WARN", "CRITICAL"] or "_grokparsefailure" in [tags])`, true)
}

func BenchmarkConditionParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseCondition(`[type] == "syslog" and ([level] in ["ERROR", "CRITICAL"] or "_grokparsefailure" in [tags]) and [message] =~ /timeout\s+\d+/`); err != nil {
			b.Fatal(err)
		}
	}
}
