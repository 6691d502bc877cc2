package pipeline

import (
	"math"
	"testing"
)

func TestRubyFloat(t *testing.T) {
	// Each want is what Ruby's Float#to_s prints.
	tests := []struct {
		f    float64
		want string
	}{
		{1.5, "1.5"}, {2, "2.0"}, {100, "100.0"}, {-3.25, "-3.25"},
		{1e20, "1.0e+20"}, {1e16, "1.0e+16"}, {1e15, "1.0e+15"}, {1e14, "100000000000000.0"},
		{9999999999999998, "9.999999999999998e+15"}, {999999999999999.9, "999999999999999.9"},
		{1234567890123456, "1.234567890123456e+15"}, {123456789012345, "123456789012345.0"},
		{0.001, "0.001"}, {0.0001, "0.0001"}, {0.00012, "0.00012"}, {0.00001, "1.0e-05"},
		{1.0 / 3, "0.3333333333333333"}, {1e100, "1.0e+100"}, {1e-100, "1.0e-100"},
		{5e-324, "5.0e-324"}, {math.MaxFloat64, "1.7976931348623157e+308"},
		{0, "0.0"}, {math.Copysign(0, -1), "-0.0"},
		{1.5e20, "1.5e+20"}, {1.25e-7, "1.25e-07"}, {123456789.125, "123456789.125"},
		{math.NaN(), "NaN"}, {math.Inf(1), "Infinity"}, {math.Inf(-1), "-Infinity"},
	}
	for _, tt := range tests {
		if got := string(AppendRubyFloat(nil, tt.f)); got != tt.want {
			t.Errorf("AppendRubyFloat(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
