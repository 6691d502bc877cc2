// Package conf is pipe's configuration front end: it reads HCL configs
// written in Logstash's shape, and Logstash's own .conf configs as they are
// (see "Logstash configs" below), checks them against the plugin registry
// and decodes them into a pipeline.Spec, with diagnostics that point at the
// user's own line and column. Convert translates a .conf config to HCL.
//
// # The language
//
// A config is one or more files (ReadSources expands -f: files, folders,
// globs, in path order) read as one pipeline. The top level holds only
// these blocks:
//
//	pipeline {                  # optional, at most once across all files
//	  id                = "main"
//	  workers           = 2     # pipeline.workers, at least 1
//	  batch_size        = 125   # at least 1
//	  batch_delay       = 50    # milliseconds, at least 0
//	  queue_size        = 1000  # at least 1
//	  ecs_compatibility = "v8"  # disabled | v1 | v8
//	  dead_letter_queue {       # Logstash's dead_letter_queue.* settings
//	    enable         = false
//	    path           = "data/dead_letter_queue"  # folder of <pipeline id>/ folders
//	    max_bytes      = 1073741824  # bytes, or a string: "1024mb" (kb/mb/gb/tb, powers of 1024)
//	    storage_policy = "drop_newer"  # drop_newer | drop_older
//	    flush_interval = 5000   # milliseconds, at least 1
//	  }
//	}
//	input {
//	  stdin { codec = "json_lines" }
//	  generator { count = 10  tags = ["gen"]  add_field = { "[src][name]" = "gen-%{sequence}" } }
//	}
//	filter {
//	  json { source = "message" }
//	  if "[logger_name] == 'example.tasks'" {
//	    drop {}
//	  } else if "[status_code] >= 500" {
//	    mutate { add_tag = ["server_error"] }
//	  } else {
//	    json { source = "other" add_tag = ["x", "%{type}"] }
//	  }
//	}
//	output {
//	  stdout { codec "line" { format = "%{message}" } }
//	  if "'_jsonparsefailure' in [tags]" { null {} }
//	}
//
// (The json and mutate filters above stand for any filter plugin; the
// plugins a build knows are those of its registry, plugins/all.)
//
// The dead_letter_queue block (at most one) mirrors Logstash's dotted
// dead_letter_queue.* settings; every option is optional. The default path
// is data/dead_letter_queue relative to the working directory, as
// Logstash's is relative to its path.data; each pipeline writes to
// <path>/<pipeline id>/. The segment format and the meaning of max_bytes,
// storage_policy and flush_interval are documented in package
// pipeline/dlq.
//
// The input, filter and output sections may repeat, in one file or across
// files; their contents are concatenated in order. Only the pipeline block
// sets pipeline.Settings, and only with the values it gives (the CLI applies
// defaults and flags afterwards).
//
// A section holds plugin blocks, named as the plugin (no label), and, in
// the filter and output sections only (as in Logstash), conditionals: if
// "<condition>" { ... }, then any number of else if "<condition>" { ... }
// and at most one final else { ... }; they nest. The condition is a quoted
// string in Logstash's own syntax (pipeline.ParseCondition).
//
// A plugin block takes the plugin's own options (its Config struct's hcl
// tags) and the common options of its kind, with Logstash's names and
// meaning:
//
//   - every plugin: id (unique in the pipeline; default name_N, N counting
//     the blocks of that plugin name from 1 in the order written) and
//     enable_metric (true);
//   - inputs: type, tags, add_field, codec;
//   - filters: add_field, add_tag, remove_field, remove_tag, periodic_flush;
//   - outputs: codec.
//
// add_field is an object of strings whose keys keep the order written;
// tags, add_tag, remove_field and remove_tag are lists of strings (a single
// string is a list of one, as in Logstash). Every add_field key and value
// and every add_tag, remove_tag and remove_field entry is a sprintf format
// checked at load time; a remove_field entry without %{...} must also be a
// field reference. When a plugin declares an option with a common option's
// name, the plugin's own wins.
//
// codec is either an attribute naming the codec with its defaults, codec =
// "json_lines", or a block with the codec's options, codec "line" { format =
// "%{message}" }. Without one, the plugin's default codec is used. Codecs
// take no common options.
//
// # Plugin configs
//
// A plugin's NewConfig returns a pointer to a struct whose fields carry
// gohcl tags: `hcl:"name,optional"`, or `hcl:"name"` for a required option
// (its absence is reported at the block's header, naming the option and the
// plugin). The struct holds the defaults: an option not written leaves its
// field untouched. gohcl's conversions apply (numbers, strings, bools,
// lists, maps); a field of type []pipeline.KV takes an object of strings
// and keeps its keys in the order written. When the block decoded without
// error, Validate (pipeline.Validator) runs, and each pipeline.ConfigError
// is reported at the value of the option it names (or at the block header).
//
// # Logstash strings
//
// Strings are written as in Logstash. Before parsing, the loader rewrites
// the text (and maps every position back to the original, so diagnostics
// point at the user's own line and column):
//
//  1. In quoted strings and heredocs, %{...} is literal text, a Logstash
//     sprintf reference, not an HCL template directive: "%{[host][name]}",
//     "logstash-%{+YYYY.MM.dd}" and "%{COMBINEDAPACHELOG}" read as written.
//     As a consequence HCL's %{if}/%{for} directives are not available, and
//     "%%{" is a literal "%%{" (Logstash's meaning), not HCL's escape. ${...}
//     stays HCL interpolation, and "$${" a literal "${".
//  2. In quoted strings, a backslash escape HCL does not know is kept as
//     written, so regexes and grok patterns read as in Logstash: "\d+\.\d+"
//     is the eight characters \d+\.\d+, "\[" is \[. The escapes HCL knows
//     keep their HCL meaning: \n \r \t \" \\ \uXXXX \UXXXXXXXX ("\\d" is
//     also \d). Heredocs have no escapes at all.
//  3. Layout is free as in Logstash: "} else {" and "} else if "..." {" on
//     one line, several options or blocks on one line (generator { count =
//     10 tags = ["gen"] }), a block's "{" on the next line, and object items
//     separated by spaces only ({ "a" = "x" "b" = "y" }) are all accepted;
//     the loader inserts the line ends HCL requires.
//
// Options are set with = (Logstash's => is reported with a hint).
//
// # Environment
//
// The variable env is an object holding every variable of Options.Env as a
// string: password = env.ES_PASSWORD, or "${env.HOME}/data" inside a
// string. A variable that is not set is HCL's "Unsupported attribute" error
// at its position. The function env("NAME", "default") returns the default
// instead; env("NAME") without a default is an error at its position.
//
// # Logstash configs
//
// A source may also be written in Logstash's own config language
// (IsLogstash: a .conf file; a file with another extension, or -e's text,
// when it has a "=>" or an unquoted if condition). Load parses it
// (logstash_parse.go) and lowers it to the same hclsyntax nodes the HCL
// text would give, with ranges in the .conf text, so every check above
// applies and points at the .conf's own line and column. The language is
// that of Logstash's grammar: input, filter and output sections (repeated
// at will), plugin blocks, name => value options, # comments, conditionals
// with the condition written bare (if [status] >= 500 { ... }), strings in
// double or single quotes, numbers, bare words, arrays and hashes (entries
// separated by white space or commas; keys are strings, bare words or
// numbers). As Logstash with config.support_escapes false (its default), a
// string's value is its text between the quotes exactly as written,
// backslashes included; \" (or \' in single quotes) only keeps the quote
// from ending the string. ${VAR} and ${VAR:default} in strings read the
// environment (env.VAR and env("VAR", "default") of the HCL front end).
//
// Logstash's loose typing is resolved with the plugin's options: a single
// value for a list option is a list of one; an array for a hash option
// (add_field, grok's match, mutate's convert) holds key, value pairs, a
// key given twice gathering its values in a list; a number for a string
// option is its text as written; "5000" for a number and "true" for a bool
// convert. An option written twice in one plugin is merged as Logstash
// does: hashes merge, arrays concatenate, two different values make an
// array. codec => name and codec => name { ... } are the two codec forms.
// A hash literal that names a key twice is an error, as in Logstash.
//
// Syntax errors are reported in plain words at the offending place, only
// the first of each file: what was expected and what was found, = or :
// written for =>, the line where an unclosed brace opened, where an
// unterminated string started, a plugin or an option outside its section
// or plugin. An option that the plugin does not have is "not supported by
// pipe" (unless it is a near miss of one, which gets "Did you mean").
//
// Convert writes a Logstash pipeline as HCL (pipe convert), keeping the
// comments before blocks, options, hash entries and array items and at
// the end of their lines; its output loads into the same plugin graph.
//
// # Diagnostics
//
// Load reports every problem it can find without touching the network or
// the filesystem: syntax (only the first syntax error of a file, as HCL's
// recovery after one is unreliable), unknown sections, plugins, options and
// codecs (with "Did you mean ...?" and the list of known names), wrong
// types, missing required options, duplicate ids, invalid sprintf formats,
// field references and conditions (at the offending character inside the
// string), misplaced else blocks, conditionals in the input section, each
// plugin's and codec's own Validate errors (at the option they name), bad
// pipeline settings and unset environment variables. Diagnostics.Write
// prints them sorted by file, line and column as
//
//	file:line:col: error: Summary: Detail
//
// with, on a terminal, the source line and the range underlined. Columns
// count characters (a tab is one).
package conf
