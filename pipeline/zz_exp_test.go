package pipeline

import (
	"fmt"
	"testing"
)

func TestZZExp(t *testing.T) {
	var d JSONDecoder
	for _, in := range []string{`{"a":NaN}`, `{"a":nan}`, `{"a":Inf}`, `{"a":-Inf}`, `{"a":"\ud800"}`, `{"a":"\ud83d\ude00"}`, `{"a":"x\u0000y"}`, "{\"a\":\"\xff\xfe\"}", `{"a":1,"a":2}`, `{"a":18446744073709551616}`, `{"a":-0}`, `{"a":-0.0}`, `{"a":1e3}`, `{"a":01}`, `{"a":1.}`, ` `, `{"a":"\x"}`, "{\"a\":\"\t\"}", `{"a":9223372036854775807}`, `{"a":-9223372036854775808}`, `{"a":9223372036854775808}`, `{"a":0x10}`,`{"a":.5}`,`{"a":+1}`, `{"@timestamp":null}`,`{"tags":null}`} {
		err := d.DecodeEvents([]byte(in), func(e *Event) {
			v, _ := e.fields.Get("a")
			fmt.Printf("%q -> %#v %q\n", in, v, AppendEventJSON(nil, e))
		})
		if err != nil {
			fmt.Printf("%q -> err %v\n", in, err)
		}
	}
	for _, f := range []float64{5e-324, 1e23, 2e-3, 1e7, 1e-4, 123456789.0, 0.1, 1e21, 1e-3, 9999999.999} {
		fmt.Println(string(appendFloat(nil, f)))
	}
}
