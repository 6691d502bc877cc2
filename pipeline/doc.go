// Package pipeline is the engine of pipe and the contracts its plugins implement.
//
// It holds the event model (Event, Map, Timestamp, FieldRef), Logstash's
// string interpolation (Template), conditionals (Condition), the bounded
// queue, the workers that run batches through the filter chain and into the
// outputs, acknowledgements back to inputs, metrics, and shutdown.
//
// Values stored in an event are always one of: nil, string, int64, float64,
// bool, Timestamp, []any (of these values) or *Map. Key order in a Map is
// insertion order, and JSON encoding writes @timestamp first and then fields
// in that order, so output is deterministic.
//
// The package imports neither conf/ nor plugins/.
package pipeline
