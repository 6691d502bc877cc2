package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pipeproject/pipe/conf"
)

// FuzzParsePipelinesYML parses fuzzed pipelines.yml text: never a panic;
// every diagnostic names the file and either the whole file (line and
// column 0) or a place inside the text (line and column from 1, line at
// most one past the last); an entry returned has a
// unique, valid pipeline.id and exactly one of path.config and
// config.string; no error means every entry was returned.
func FuzzParsePipelinesYML(f *testing.F) {
	for _, s := range []string{
		"", " ", "\n", "\t", "---", "~", "null", "{}", "- ", "-", "x", "\x00", "\xff\xfe", "\xed\xa0\x80",
		"- pipeline.id: main\n  path.config: /etc/pipe/main.conf\n",
		"- pipeline.id: main\n  config.string: \"input { stdin {} } output { stdout {} }\"\n",
		"- pipeline:\n    id: a\n    workers: 2\n    batch:\n      size: 125\n      delay: 50\n  path:\n    config: a.conf\n",
		"- pipeline.id: a\n  path.config: a.conf\n- pipeline.id: a\n  path.config: b.conf\n",
		"- pipeline.id: a\n  path.config: a.conf\n  config.string: x\n",
		"- pipeline.id: ${ID}\n  path.config: ${DIR:/tmp}/x.conf\n  pipeline.workers: ${W:2}\n",
		"- pipeline.id: ${UNSET}\n  path.config: ${}\n",
		"- pipeline.id: a\n  path.config: a\n  pipeline.workers: 0x10\n  pipeline.batch.size: 1e999\n  pipeline.batch.delay: -0\n",
		"- pipeline.id: a\n  path.config: a\n  pipeline.workers: 99999999999999999999999\n",
		"- pipeline.id: a\n  path.config: a\n  pipeline.workers: ١٢٣\n",
		"- pipeline.id: a\n  path.config: a\n  dead_letter_queue.enable: yes\n  dead_letter_queue.max_bytes: 1024mb\n  dead_letter_queue.storage_policy: drop_older\n",
		"- pipeline.id: a\n  path.config: a\n  dead_letter_queue.max_bytes: -1kb\n  path.dead_letter_queue: \"\"\n",
		"- pipeline.id: a\n  path.config: a\n  queue.type: persisted\n  config.support_escapes: true\n  pipeline.ordered: true\n  pipline.workers: 2\n",
		"- pipeline.id: a\n  path.config: a\n  pipeline.ecs_compatibility: v9\n",
		"- &base\n  pipeline.workers: 2\n- <<: *base\n  pipeline.id: a\n  path.config: a\n",
		"- pipeline.id: &id a\n  path.config: *id\n- pipeline.id: *id\n  path.config: b\n",
		"a: &a [*a]\n",
		"- *undefined\n",
		"- [pipeline.id, main]\n- 42\n- null\n- \"\"\n",
		"- {? [a, b] : c, pipeline.id: x, path.config: y}\n",
		"- pipeline.id: \"multi\\nline\"\n  path.config: |\n    a\n    b\n",
		"- pipeline.id: a/b\n  path.config: a\n- pipeline.id: ..\n  path.config: a\n- pipeline.id: \"  \"\n  path.config: a\n",
		"- pipeline.id: a\n\tpath.config: a\n",
		"\t- pipeline.id: a\n",
		"- pipeline.id: 'unterminated\n",
		"- pipeline.id: \"bad \\q escape\"\n",
		"- pipeline.id: a\n  path.config: a\n  pipeline.id: b\n",
		"- pipeline.id: a\n  path.config: a\n  pipeline: {id: b}\n",
		"- pipeline.id: a\n  path.config: [a, b]\n  config.string: {x: 1}\n",
		"%YAML 1.2\n---\n- pipeline.id: a\n  path.config: a\n...\n---\n- x\n",
		"- !!binary aGVsbG8=\n- !custom {pipeline.id: a, path.config: a}\n",
		"- pipeline.id: é\u2028x\n  path.config: \x00\n",
		strings.Repeat("- ", 200) + "x\n",
		strings.Repeat("[", 200) + strings.Repeat("]", 200),
		strings.Repeat("{a: ", 100) + "b" + strings.Repeat("}", 100),
		"- pipeline.id: " + strings.Repeat("x", 10000) + "\n  path.config: a\n",
		"- pipeline.id: a\r\n  path.config: a\r\n",
		"\ufeff- pipeline.id: a\n  path.config: a\n",
	} {
		f.Add([]byte(s))
	}
	env := map[string]string{"ID": "from-env", "DIR": "/data", "EMPTY": "", "SLASH": "a/b"}
	f.Fuzz(func(t *testing.T, data []byte) {
		orig := bytes.Clone(data)
		entries, diags := parsePipelinesYML("pipelines.yml", data, env)
		if !bytes.Equal(data, orig) {
			t.Fatal("the input was changed")
		}
		lines := yamlLines(data)
		errs := 0
		for _, d := range diags {
			if d.Severity == conf.SeverityError {
				errs++
			}
			if d.File != "pipelines.yml" {
				t.Errorf("%q: diagnostic %q names file %q", data, d.String(), d.File)
			}
			if d.Summary == "" {
				t.Errorf("%q: diagnostic without a summary: %+v", data, d)
			}
			if d.Line < 1 || d.Column < 1 || d.Line > lines+1 {
				t.Errorf("%q (%d lines): diagnostic %q is at line %d column %d", data, lines, d.String(), d.Line, d.Column)
			}
		}
		ids := map[string]bool{}
		for _, e := range entries {
			if strings.TrimSpace(e.ID) == "" || strings.ContainsAny(e.ID, `/\`) || e.ID == "." || e.ID == ".." {
				t.Errorf("%q: entry with invalid id %q returned", data, e.ID)
			}
			if ids[e.ID] {
				t.Errorf("%q: id %q returned twice", data, e.ID)
			}
			ids[e.ID] = true
			if (e.PathConfig != "") == e.HasString {
				t.Errorf("%q: entry %q has path.config %q and config.string %v", data, e.ID, e.PathConfig, e.HasString)
			}
			if e.Line < 1 || e.Column < 1 || e.Line > lines+1 {
				t.Errorf("%q: entry %q at line %d column %d", data, e.ID, e.Line, e.Column)
			}
		}
		if len(entries) == 0 && errs == 0 {
			t.Errorf("%q: no pipeline and no error", data)
		}
	})
}

// yamlLines counts the lines of data as YAML does: \r\n, \r and \n end a
// line, and so do U+0085, U+2028 and U+2029.
func yamlLines(data []byte) int {
	s := strings.ReplaceAll(string(data), "\r\n", "\n")
	n := 1
	for _, r := range s {
		switch r {
		case '\n', '\r', 0x85, 0x2028, 0x2029:
			n++
		}
	}
	return n
}
