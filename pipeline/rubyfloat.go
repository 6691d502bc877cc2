package pipeline

import (
	"math"
	"strconv"
)

// AppendRubyFloat appends f as Ruby's Float#to_s prints it: the shortest
// digits that read back as f, in plain notation with at least one decimal
// ("2.0", "0.0001") when the decimal exponent is in -4 < e <= 15, else in
// scientific notation with a two-digit exponent at least ("1.0e+16",
// "1.0e-05").
func AppendRubyFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], f, 'e', -1, 64) // -d.ddde±XX
	if s[0] == '-' {
		dst = append(dst, '-')
		s = s[1:]
	}
	e := 0
	for i, c := range s {
		if c == 'e' {
			e = i
			break
		}
	}
	exp, _ := strconv.Atoi(string(s[e+1:]))
	var digitsBuf [24]byte
	digits := append(digitsBuf[:0], s[0])
	if e > 1 {
		digits = append(digits, s[2:e]...)
	}
	decpt := exp + 1 // the value is 0.digits × 10^decpt
	switch {
	case decpt <= -4 || decpt > 15:
		dst = append(dst, digits[0], '.')
		if len(digits) > 1 {
			dst = append(dst, digits[1:]...)
		} else {
			dst = append(dst, '0')
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	case decpt <= 0:
		dst = append(dst, '0', '.')
		for ; decpt < 0; decpt++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	case decpt >= len(digits):
		dst = append(dst, digits...)
		for i := len(digits); i < decpt; i++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	default:
		dst = append(dst, digits[:decpt]...)
		dst = append(dst, '.')
		return append(dst, digits[decpt:]...)
	}
}
