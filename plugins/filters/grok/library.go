package grok

import (
	"io/fs"

	"github.com/pipeproject/pipe/plugins/filters/grok/patterns"
)

// builtinLibrary returns the pattern library compiled into pipe: the
// folders legacy/ and ecs-v1/ of pattern files embedded by package
// patterns (read-only).
func builtinLibrary() fs.FS { return patterns.FS }
