package conf

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Source is one config text.
type Source struct {
	// Name identifies the text in diagnostics (a path, or "config.string").
	Name string
	// Data is the text.
	Data []byte
}

// ErrNoConfig is wrapped by ReadSources' error for an argument that names
// no file.
var ErrNoConfig = errors.New("no config file")

// ReadSources expands -f arguments: files, folders (every regular file
// inside, not recursive) and globs (the regular files they match). The
// files of all arguments are read in name order, sorted by full path, as
// Logstash concatenates them; a file named twice is read once. An argument
// that matches no file is an error wrapping ErrNoConfig.
func ReadSources(paths []string) ([]Source, error) {
	type file struct{ name, abs string }
	var files []file
	seen := map[string]bool{}
	add := func(name string) error {
		abs, err := filepath.Abs(name)
		if err != nil {
			return fmt.Errorf("config %s: %w", name, err)
		}
		if !seen[abs] {
			seen[abs] = true
			files = append(files, file{name, abs})
		}
		return nil
	}
	for _, arg := range paths {
		var names []string
		if strings.ContainsAny(arg, "*?[") {
			matches, err := filepath.Glob(arg)
			if err != nil {
				return nil, fmt.Errorf("config glob %q: %w", arg, err)
			}
			for _, m := range matches {
				if isRegular(m) {
					names = append(names, m)
				}
			}
			if len(names) == 0 {
				return nil, fmt.Errorf("config glob %q matches no file: %w", arg, ErrNoConfig)
			}
		} else {
			fi, err := os.Stat(arg)
			if err != nil {
				return nil, fmt.Errorf("config %w", err)
			}
			if fi.IsDir() {
				entries, err := os.ReadDir(arg)
				if err != nil {
					return nil, fmt.Errorf("config folder %w", err)
				}
				for _, e := range entries {
					if p := filepath.Join(arg, e.Name()); isRegular(p) {
						names = append(names, p)
					}
				}
				if len(names) == 0 {
					return nil, fmt.Errorf("config folder %s has no file: %w", arg, ErrNoConfig)
				}
			} else {
				names = []string{arg}
			}
		}
		for _, name := range names {
			if err := add(name); err != nil {
				return nil, err
			}
		}
	}
	slices.SortFunc(files, func(a, b file) int { return strings.Compare(a.abs, b.abs) })
	srcs := make([]Source, 0, len(files))
	for _, f := range files {
		data, err := os.ReadFile(f.name)
		if err != nil {
			return nil, fmt.Errorf("config %w", err)
		}
		srcs = append(srcs, Source{Name: f.name, Data: data})
	}
	return srcs, nil
}

// isRegular reports whether path is a regular file (following links).
func isRegular(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}
