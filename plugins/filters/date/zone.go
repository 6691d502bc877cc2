package date

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// zoneCacheLimit bounds the names a zoneCache remembers (zone names come
// from events when timezone is a sprintf format or a pattern reads ZZZ).
const zoneCacheLimit = 1024

// zoneCache loads time zones by Joda's DateTimeZone.forID rules and
// remembers them, unknown names included. Safe for concurrent use.
type zoneCache struct {
	m sync.Map // name -> *time.Location, nil when unknown
	n atomic.Int32
}

// load returns the zone named id, or nil: "UTC", an offset such as
// "+05:30" or "-0800", or an IANA name such as "Europe/Paris".
func (c *zoneCache) load(id string) *time.Location {
	if v, ok := c.m.Load(id); ok {
		return v.(*time.Location)
	}
	loc := loadZone(id)
	if c.n.Load() < zoneCacheLimit {
		c.n.Add(1)
		c.m.Store(id, loc)
	}
	return loc
}

// loadZone is load without the cache.
func loadZone(id string) *time.Location {
	switch {
	case id == "" || id == "Local":
		return nil
	case id == "UTC":
		return time.UTC
	case id[0] == '+' || id[0] == '-':
		off, n, ok := readOffset(id, 0)
		if !ok || n != len(id) {
			return nil
		}
		if off == 0 {
			return time.UTC
		}
		return time.FixedZone(id, int(off/1000))
	}
	loc, err := time.LoadLocation(id)
	if err != nil {
		return nil
	}
	return loc
}

func zoneIDByte(c byte) bool {
	return isLetter(c) || c >= '0' && c <= '9' || c == '/' || c == '_' || c == '-' || c == '+'
}

// readZoneID reads the longest zone ID at s[i:] (ZZZ).
func (c *zoneCache) readZoneID(s string, i int) (*time.Location, int, bool) {
	j := i
	for j < len(s) && j-i < 40 && zoneIDByte(s[j]) {
		j++
	}
	for ; j > i; j-- {
		if s[j-1] == '+' || s[j-1] == '-' || s[j-1] == '/' {
			continue
		}
		if s[i] == '+' || s[i] == '-' {
			return nil, i, false // IDs are names; offsets are Z's business
		}
		if loc := c.load(s[i:j]); loc != nil {
			return loc, j, true
		}
	}
	return nil, i, false
}

// zoneName is a zone name and the zone it stands for.
type zoneName struct{ name, id string }

// zoneNames returns the names Joda parses for z and zzzz (its default
// time zone names), longest first.
func zoneNames() [11]zoneName {
	return [11]zoneName{
		{"UTC", "UTC"}, {"GMT", "UTC"}, {"UT", "UTC"},
		{"EST", "America/New_York"}, {"EDT", "America/New_York"},
		{"CST", "America/Chicago"}, {"CDT", "America/Chicago"},
		{"MST", "America/Denver"}, {"MDT", "America/Denver"},
		{"PST", "America/Los_Angeles"}, {"PDT", "America/Los_Angeles"},
	}
}

// readZoneName reads a zone name at s[i:] (z): the zone, not an offset, so
// "EST" in July is New York's summer time, as in Joda.
func (c *zoneCache) readZoneName(s string, i int) (*time.Location, int, bool) {
	for _, z := range zoneNames() {
		if strings.HasPrefix(s[i:], z.name) {
			loc := c.load(z.id)
			return loc, i + len(z.name), loc != nil
		}
	}
	return nil, i, false
}

// checkZoneNames reports whether the zones of zoneNames load (time zone
// data is available).
func checkZoneNames(c *zoneCache) bool {
	for _, z := range zoneNames() {
		if c.load(z.id) == nil {
			return false
		}
	}
	return true
}

const msPerDay = 86400_000

// localToUTC converts a wall-clock time in loc (milliseconds since
// 1970-01-01T00:00 local) to Unix milliseconds. A wall time that does not
// exist (in a daylight-saving gap) fails, as Joda's "Illegal instant due to
// time zone offset transition"; an ambiguous one (in an overlap) is the
// earlier instant.
func localToUTC(wall int64, loc *time.Location) (int64, bool) {
	ms, ok, _ := resolveLocal(wall, loc, 0, false)
	return ms, ok
}

// resolveLocal is localToUTC; when lenient, a wall time in a gap moves
// forward by the gap, and in an overlap the instant with offset prefer
// (seconds) is chosen when it is one of the two. It also returns the
// offset used.
func resolveLocal(wall int64, loc *time.Location, prefer int, lenient bool) (int64, bool, int) {
	if loc == time.UTC {
		return wall, true, 0
	}
	ws := floorDiv(wall, 1000)
	sub := wall - ws*1000
	t := time.Unix(ws, 0).In(loc)
	_, off := t.Zone()
	start, end := t.ZoneBounds()
	// Every instant within a day of ws has offset off: ws-off is the only
	// candidate (offsets are within 18 hours).
	if (start.IsZero() || ws-start.Unix() > 2*86400) && (end.IsZero() || end.Unix()-ws > 2*86400) {
		return (ws-int64(off))*1000 + sub, true, off
	}
	_, before := time.Unix(ws-86400, 0).In(loc).Zone()
	_, after := time.Unix(ws+86400, 0).In(loc).Zone()
	var best int64
	bestOff, found := 0, false
	for _, o := range [3]int{before, off, after} {
		cand := ws - int64(o)
		if _, oc := time.Unix(cand, 0).In(loc).Zone(); oc != o {
			continue
		}
		switch {
		case !found, lenient && o == prefer && bestOff != prefer, cand < best && !(lenient && bestOff == prefer):
			best, bestOff, found = cand, o, true
		}
	}
	if !found {
		if !lenient {
			return 0, false, 0
		}
		return (ws-int64(before))*1000 + sub, true, before
	}
	return best*1000 + sub, true, bestOff
}

// offsetAt returns loc's offset in seconds at Unix milliseconds ms.
func offsetAt(ms int64, loc *time.Location) int {
	if loc == time.UTC {
		return 0
	}
	_, off := time.UnixMilli(ms).In(loc).Zone()
	return off
}
