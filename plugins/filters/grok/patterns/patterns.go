// Package patterns is pipe's own embedded grok pattern library.
//
// It ships two pattern sets that mirror the two sets of Logstash's
// logstash-patterns-core, with the same pattern names and the same capture
// names and types:
//
//   - "legacy": the classic field names (ECS compatibility disabled);
//   - "ecs-v1": Elastic Common Schema field names (ECS v1 and v8).
//
// Each set is a directory of files in Logstash's pattern file format: one
// "NAME regex" definition per line, blank lines and lines starting with '#'
// ignored. Group files carry the same names as Logstash's (grok-patterns,
// httpd, linux-syslog, java, ...). The regular expressions are written in the
// Oniguruma/Ruby dialect accepted by Logstash; a grok implementation loading
// them must apply the same dialect translation it applies to user patterns
// (for example "(?m)" means "dot matches newline").
//
// The definitions were written for pipe; they are checked against Logstash's
// own files by a differential test (see patterns_test.go).
package patterns

import "embed"

// FS holds the pattern sets, one directory per set ("legacy", "ecs-v1"),
// each containing the group files of that set. FS is read-only.
//
//go:embed legacy ecs-v1
var FS embed.FS

// Sets returns the names of the available pattern sets, which are also the
// names of their directories in FS.
func Sets() []string {
	return []string{"legacy", "ecs-v1"}
}
