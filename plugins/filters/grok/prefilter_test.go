package grok

import (
	"slices"
	"testing"
	"time"
)

// corpus are lines of many shapes for the prefilter's soundness check.
var corpus = []string{
	``,
	`83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"`,
	`Mar  7 04:02:16 ip-172-31-27-153 sshd[29346]: Received disconnect from 122.254.200.114 port 58966:11: Normal Shutdown, Thanks for playing [preauth]`,
	`<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8`,
	`2024-05-01 12:00:00,123 ERROR [main] com.example.App - fe80::1ff:fe23:4567:890a user@example.com 0x1F deadbeef`,
	`371679e24301dc140fbb7d0fd7957adb9ad32e41 1625 audio/mpeg`,
	`Jan 1 00:00:00 host kernel: [  12.345] usb 1-1: new device; uuid=123e4567-e89b-12d3-a456-426614174000 mac=00:1A:2B:3C:4D:5E`,
	`{"a": 1.5e3, "b": "-12", "path": "C:\\Windows\\x.log", "url": "https://u:p@example.org:8443/p?q=1#f"}`,
	`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`,
	`Tue May 12 10:22:33 2015 2015-05-12T10:22:33+02:00 12/05/2015 05.12.2015 PID 42 Ø unicode ü`,
}

// TestPrefilterSound checks, for every pattern of the built-in library, that
// the prefilter never rejects a line the pattern matches.
func TestPrefilterSound(t *testing.T) {
	checked, filtered := 0, 0
	for _, set := range []string{"legacy", "ecs-v1"} {
		l := library{}
		if err := l.loadFS(builtinLibrary(), set, "*"); err != nil {
			t.Fatal(err)
		}
		names := make([]string, 0, len(l))
		for n := range l {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			c, err := compile("%{"+n+"}", compileOptions{lib: l, namedCapturesOnly: true, timeout: time.Second})
			if err != nil {
				continue // the few patterns regexp2 cannot compile
			}
			checked++
			if c.pre == nil {
				continue
			}
			filtered++
			for _, line := range corpus {
				m, err := c.re.FindStringMatch(line)
				if err != nil || m == nil {
					continue
				}
				if !c.pre.match(line) {
					t.Errorf("%s/%s matches %q but the prefilter rejects it", set, n, line)
				}
			}
		}
	}
	if checked < 600 || filtered < 100 {
		t.Errorf("checked %d patterns, %d with a prefilter: too few", checked, filtered)
	}
	t.Logf("checked %d patterns, %d with a prefilter", checked, filtered)
}

func TestRubyConversions(t *testing.T) {
	for s, want := range map[string]int64{"12": 12, "-3": -3, "+4": 4, "12abc": 12, "abc": 0, "3.9": 3, " 7": 7, "1_000": 1000, "": 0} {
		if got := rubyToI(s); got != want {
			t.Errorf("to_i(%q) = %d, want %d", s, got, want)
		}
	}
	for s, want := range map[string]float64{"1.5": 1.5, "-2": -2, "1e3": 1000, "3.": 3, ".5": 0.5, "x": 0, "2.5x": 2.5, "1e": 1} {
		if got := rubyToF(s); got != want {
			t.Errorf("to_f(%q) = %g, want %g", s, got, want)
		}
	}
}

func TestParseLibrary(t *testing.T) {
	l := library{}
	l.parse("# comment\n\n  A  x y \nB\tz\r\nNOPATTERN\n   # indented comment\n")
	if l["A"] != "x y " || l["B"] != "z" || len(l) != 2 {
		t.Errorf("got %q", l)
	}
}
