package e2e

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDockerImageSteps runs the Dockerfile's build steps (docker/rootfs.sh)
// outside Docker, as CI has no Docker engine, and checks the tree the image
// would hold against what the Dockerfile says: static binaries, the
// entrypoint and its default config, the non-root user, the exposed ports.
func TestDockerImageSteps(t *testing.T) {
	root := filepath.Join(t.TempDir(), "rootfs")
	build := exec.Command("bash", "../docker/rootfs.sh", root)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("docker/rootfs.sh: %v\n%s", err, out)
	}
	df := readDockerfile(t, "../Dockerfile")

	t.Run("build stage runs the script and the Go of go.mod", func(t *testing.T) {
		if !strings.Contains(df.text, "RUN docker/rootfs.sh /rootfs") || !strings.Contains(df.text, "COPY --from=build /rootfs/ /") {
			t.Fatal("the Dockerfile does not build with docker/rootfs.sh /rootfs and copy its tree")
		}
		gomod, err := os.ReadFile("../go.mod")
		if err != nil {
			t.Fatal(err)
		}
		goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
		if goVersion == nil || !regexp.MustCompile(`(?m)^FROM golang:`+regexp.QuoteMeta(string(goVersion[1]))+`[ -]`).MatchString(df.text) {
			t.Fatalf("the build stage's golang image is not go.mod's Go %s", goVersion[1])
		}
	})

	t.Run("static binaries", func(t *testing.T) {
		for _, name := range []string{"pipe", "faulty"} {
			p := filepath.Join(root, "usr/local/bin", name)
			f, err := elf.Open(p)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, prog := range f.Progs {
				if prog.Type == elf.PT_INTERP {
					t.Errorf("%s has a program interpreter: not static", name)
				}
			}
			if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
				t.Errorf("%s needs shared libraries %v", name, libs)
			}
			f.Close()
		}
	})

	t.Run("entrypoint and default config", func(t *testing.T) {
		if df.entrypoint != `["/usr/local/bin/pipe"]` {
			t.Fatalf("ENTRYPOINT %s", df.entrypoint)
		}
		if df.cmd != `["-f", "/etc/pipe/faulty.hcl"]` {
			t.Fatalf("CMD %s", df.cmd)
		}
		pipe := filepath.Join(root, "usr/local/bin/pipe")
		cfg := filepath.Join(root, "etc/pipe/faulty.hcl")
		cmd := exec.Command(pipe, "-t", "-f", cfg)
		cmd.Env = append(os.Environ(), "PIPE_HOST=0.0.0.0")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Configuration OK") {
			t.Fatalf("pipe -t -f /etc/pipe/faulty.hcl: %v\n%s", err, out)
		}
		examples, _ := filepath.Glob("../conf/examples/*.hcl")
		confs, _ := filepath.Glob("../conf/examples/*.conf")
		examples = append(examples, confs...)
		for _, e := range examples {
			if _, err := os.Stat(filepath.Join(root, "etc/pipe", filepath.Base(e))); err != nil {
				t.Errorf("example %s is not in /etc/pipe", filepath.Base(e))
			}
		}
		if out, err := exec.Command(pipe, "version").Output(); err != nil || !strings.HasPrefix(string(out), "pipe ") {
			t.Fatalf("pipe version: %v %q", err, out)
		}
		if out, err := exec.Command(filepath.Join(root, "usr/local/bin/faulty"), "help").CombinedOutput(); err != nil {
			t.Fatalf("faulty help: %v\n%s", err, out)
		}
	})

	t.Run("fixed non-root user", func(t *testing.T) {
		uid, gid, ok := strings.Cut(df.user, ":")
		if !ok || uid == "0" || gid == "0" {
			t.Fatalf("USER %q: want a fixed non-root uid:gid", df.user)
		}
		passwd, _ := os.ReadFile(filepath.Join(root, "etc/passwd"))
		if !regexp.MustCompile(`(?m)^pipe:x:` + uid + `:` + gid + `:`).Match(passwd) {
			t.Fatalf("no pipe user %s:%s in /etc/passwd:\n%s", uid, gid, passwd)
		}
		group, _ := os.ReadFile(filepath.Join(root, "etc/group"))
		if !regexp.MustCompile(`(?m)^pipe:x:` + gid + `:`).Match(group) {
			t.Fatalf("no pipe group %s in /etc/group", gid)
		}
	})

	t.Run("ports", func(t *testing.T) {
		for _, p := range []string{"5000/tcp", "5000/udp"} {
			if !strings.Contains(" "+df.expose+" ", " "+p+" ") {
				t.Errorf("EXPOSE %q lacks %s", df.expose, p)
			}
		}
		cfg, _ := os.ReadFile(filepath.Join(root, "etc/pipe/faulty.hcl"))
		if n := len(regexp.MustCompile(`(?m)^\s*port\s*=\s*5000\s*$`).FindAll(cfg, -1)); n != 2 {
			t.Errorf("faulty.hcl has %d listeners on port 5000, want 2 (tcp and udp)", n)
		}
	})
}

type dockerfile struct {
	text                          string
	entrypoint, cmd, user, expose string
}

// readDockerfile reads the instructions of the last stage that the test
// checks (later instructions win, as in Docker).
func readDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d := dockerfile{text: string(b)}
	sc := bufio.NewScanner(strings.NewReader(d.text))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		ins, rest, _ := strings.Cut(line, " ")
		switch ins {
		case "ENTRYPOINT":
			d.entrypoint = rest
		case "CMD":
			d.cmd = rest
		case "USER":
			d.user = rest
		case "EXPOSE":
			d.expose = strings.TrimSpace(d.expose + " " + rest)
		}
	}
	return d
}
