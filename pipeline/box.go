package pipeline

import "unsafe"

// Boxing a string into an interface value allocates a 16-byte header for
// each string. A JSON document's strings live in one []string that is
// never written again once built (JSONDecoder.gather), so an interface can
// point at its element instead: that is what the runtime would have
// allocated, already in place. This saves about half the allocations of a
// python-logstash event (BenchmarkJSONDecodeEvent). Only stringValue uses
// unsafe, and only on such immutable elements.

// eface is the runtime layout of an empty interface.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

// stringType is the runtime type word of string. Read-only.
var stringType = func() unsafe.Pointer {
	var x any = ""
	return (*eface)(unsafe.Pointer(&x)).typ
}()

// stringValue returns *p as an interface value without copying the string
// header. *p must never be modified afterwards.
func stringValue(p *string) any {
	var x any
	e := (*eface)(unsafe.Pointer(&x))
	e.typ = stringType
	e.data = unsafe.Pointer(p)
	return x
}
