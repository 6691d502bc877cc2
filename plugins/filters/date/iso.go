package date

// parseISO reads s with the grammar of Joda's
// ISODateTimeFormat.dateTimeParser(), which Logstash's ISO8601 format tries
// first:
//
//	datetime     = time | date-opt-time
//	time         = 'T' time-element [offset]
//	date-opt-time = date-element ['T' [time-element] [offset]]
//	date-element = yyyy ['-' MM ['-' dd]] | xxxx '-W' ww ['-' e] | yyyy '-' DDD
//	time-element = HH [':' mm [':' ss [fraction] | fraction] | fraction]
//	fraction     = ('.' | ',') digit+ (1 to 9 digits)
//	offset       = 'Z' | ('+' | '-') HH [':' mm ...]
//
// Years take up to 9 digits and a sign; fields take 1 or 2 digits; 'T' and
// 'Z' may be lower case. Of the date-element alternatives, the one that
// reads furthest wins, as Joda's MatchingParser.
func parseISO(s string, b *bucket) bool {
	i := 0
	if len(s) > 0 && (s[0] == 'T' || s[0] == 't') {
		var ok bool
		if i, ok = isoTime(s, 1, b); !ok {
			return false
		}
		i = isoOffset(s, i, b)
		return i == len(s)
	}
	var ok bool
	if i, ok = isoDate(s, b); !ok {
		return false
	}
	if i < len(s) && (s[i] == 'T' || s[i] == 't') {
		i++
		if j, ok := isoTime(s, i, b); ok {
			i = j
		}
		i = isoOffset(s, i, b)
	}
	return i == len(s)
}

// isoDate reads a date-element; the alternative that reads furthest wins
// (the first on a tie).
func isoDate(s string, b *bucket) (int, bool) {
	y, i, ok := readNumber(s, 0, 9, true)
	if !ok {
		return 0, false
	}
	// yyyy ['-' MM ['-' dd]]
	var ymd bucket
	ymd.save(fYear, y)
	end := i
	if j, ok := matchLiteral(s, i, "-"); ok {
		if m, k, ok := readNumber(s, j, 2, false); ok {
			ymd.save(fMonth, m)
			end = k
			if j, ok := matchLiteral(s, k, "-"); ok {
				if d, k, ok := readNumber(s, j, 2, false); ok {
					ymd.save(fDayOfMonth, d)
					end = k
				}
			}
		}
	}
	best, bestEnd := ymd, end
	if bestEnd == len(s) {
		*b = best
		return bestEnd, true
	}
	// xxxx '-W' ww ['-' e]
	if j, ok := matchLiteral(s, i, "-W"); ok {
		if w, k, ok := readNumber(s, j, 2, false); ok {
			var wk bucket
			wk.save(fWeekyear, y)
			wk.save(fWeek, w)
			end := k
			if j, ok := matchLiteral(s, k, "-"); ok {
				if d, k, ok := readNumber(s, j, 1, false); ok {
					wk.save(fDayOfWeek, d)
					end = k
				}
			}
			if end > bestEnd {
				best, bestEnd = wk, end
			}
		}
	}
	// yyyy '-' DDD
	if j, ok := matchLiteral(s, i, "-"); ok {
		if d, k, ok := readNumber(s, j, 3, false); ok && k > bestEnd {
			var od bucket
			od.save(fYear, y)
			od.save(fDayOfYear, d)
			best, bestEnd = od, k
		}
	}
	*b = best
	return bestEnd, true
}

// isoTime reads a time-element at s[i:].
func isoTime(s string, i int, b *bucket) (int, bool) {
	h, i, ok := readNumber(s, i, 2, false)
	if !ok {
		return i, false
	}
	b.save(fHourOfDay, h)
	decimal := func(j int) bool { return j < len(s) && (s[j] == '.' || s[j] == ',') }
	switch {
	case i < len(s) && s[i] == ':':
		m, j, ok := readNumber(s, i+1, 2, false)
		if !ok {
			return i, true
		}
		b.save(fMinute, m)
		i = j
		switch {
		case i < len(s) && s[i] == ':':
			sec, j, ok := readNumber(s, i+1, 2, false)
			if !ok {
				return i, true
			}
			b.save(fSecond, sec)
			i = j
			if decimal(i) {
				if ms, j, ok := readFraction(s, i+1, 9, 1000); ok {
					b.save(fMillis, ms)
					i = j
				}
			}
		case decimal(i):
			if ms, j, ok := readFraction(s, i+1, 9, 60_000); ok {
				b.addMillis(ms)
				i = j
			}
		}
	case decimal(i):
		if ms, j, ok := readFraction(s, i+1, 9, 3600_000); ok {
			b.addMillis(ms)
			i = j
		}
	}
	return i, true
}

// addMillis spreads a fraction of a minute or an hour over the minute,
// second and millisecond fields.
func (b *bucket) addMillis(ms int) {
	ms += b.vals[fMinute]*60_000*btoi(b.set&fMinute.bit() != 0) +
		b.vals[fSecond]*1000*btoi(b.set&fSecond.bit() != 0)
	b.save(fMinute, ms/60_000)
	b.save(fSecond, ms/1000%60)
	b.save(fMillis, ms%1000)
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}

// isoOffset reads an optional offset at s[i:].
func isoOffset(s string, i int, b *bucket) int {
	if off, j, ok := readOffset(s, i); ok {
		b.offsetMs, b.hasOffset = off, true
		return j
	}
	return i
}
