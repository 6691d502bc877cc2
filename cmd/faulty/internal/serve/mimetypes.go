package serve

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strings"
)

// SystemTypeFiles returns the files Go's mime package reads on Unix: the
// freedesktop globs2 databases first and, only when none exists, the
// mime.types files.
func SystemTypeFiles() (globs, mimeTypes []string) {
	return []string{"/usr/local/share/mime/globs2", "/usr/share/mime/globs2"},
		[]string{"/etc/mime.types", "/etc/apache2/mime.types", "/etc/apache/mime.types",
			"/etc/httpd/conf/mime.types"}
}

// goBuiltinTypes are the types Go's mime package knows without any file.
var goBuiltinTypes = []string{"text/css", "image/gif", "text/html", "image/jpeg", "text/javascript",
	"application/json", "application/pdf", "image/png", "image/svg+xml", "application/wasm",
	"image/webp", "text/xml", "image/avif"}

// commonTypes come first, in this order, when the map has them: their
// ranks decide which types a Zipf distribution favours.
var commonTypes = []string{"text/html", "application/json", "text/plain", "image/png", "image/jpeg",
	"text/css", "text/javascript", "application/pdf", "image/svg+xml", "application/xml",
	"image/gif", "text/csv", "application/zip", "image/webp", "application/gzip", "audio/mpeg",
	"video/mp4", "application/octet-stream", "text/markdown", "application/x-tar",
	"image/x-icon", "font/woff2", "application/msword", "application/vnd.ms-excel",
	"text/calendar", "application/rtf", "audio/ogg", "video/webm", "image/tiff", "text/xml"}

// MinSystemTypes is the size below which the system map is not used and
// the built-in list (commonTypes) is.
const MinSystemTypes = 20

// LoadTypes returns the MIME types of the system's type map (types with at
// least one file extension, as Go's mime package reads them from the globs
// files, else the mime.types files, plus its built-in ones), common types
// first and then in name order. When the map holds fewer than
// MinSystemTypes types, it returns the built-in list.
func LoadTypes(globs, mimeTypes []string) []string {
	set := map[string]bool{}
	found := false
	for _, f := range globs {
		if readGlobs(f, set) == nil {
			found = true
			break
		}
	}
	if !found {
		for _, f := range mimeTypes {
			_ = readMimeTypes(f, set)
		}
	}
	if len(set) < MinSystemTypes {
		return slices.Clone(commonTypes)
	}
	for _, t := range goBuiltinTypes {
		set[t] = true
	}
	out := make([]string, 0, len(set))
	for _, t := range commonTypes {
		if set[t] {
			out = append(out, t)
			delete(set, t)
		}
	}
	rest := make([]string, 0, len(set))
	for t := range set {
		rest = append(rest, t)
	}
	slices.Sort(rest)
	return append(out, rest...)
}

func validType(t string) bool {
	slash := strings.IndexByte(t, '/')
	return slash > 0 && slash < len(t)-1 && !strings.ContainsAny(t, " \t;,\"")
}

// readGlobs reads "weight:type:*.ext" lines, skipping globs that are not a
// plain extension, as Go's mime package does.
func readGlobs(name string, set map[string]bool) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fields := strings.Split(line, ":")
		if len(fields) < 3 || len(fields[0]) < 1 || len(fields[2]) < 3 {
			continue
		}
		if !strings.HasPrefix(fields[2], "*.") || strings.ContainsAny(fields[2][2:], "?*[") {
			continue
		}
		if validType(fields[1]) {
			set[fields[1]] = true
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}

// readMimeTypes reads "type ext ext ..." lines, keeping types that have an
// extension.
func readMimeTypes(name string, set map[string]bool) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 || fields[0][0] == '#' || !validType(fields[0]) {
			continue
		}
		set[fields[0]] = true
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}
