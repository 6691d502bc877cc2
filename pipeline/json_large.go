package pipeline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// largeDocument is the size from which DecodeEvents streams a document
// instead of building fastjson's tree. fastjson spends hundreds of bytes per
// value (a 16 MB line of 5.5 million empty objects took 2.5 GB before the
// first event), so a large document is checked with json.Valid and then
// read token by token, one array element at a time: memory follows the
// events, which go to the queue as they are made. Slower per byte, and only
// for documents no real sender makes often.
const largeDocument = 1 << 20

// decodeLarge is DecodeEvents for documents of largeDocument bytes or more.
func (d *JSONDecoder) decodeLarge(data []byte, emit func(*Event)) error {
	if !json.Valid(data) {
		// Find the error's text cheaply: decode into nothing.
		var v struct{}
		err := json.Unmarshal(data, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return fmt.Errorf("parse JSON: %w", err)
		}
		return fmt.Errorf("parse JSON: invalid document")
	}
	first := firstNonSpace(data)
	switch first {
	case '{':
	case '[':
		if err := checkArrayOfObjects(data); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: got a JSON scalar", ErrJSONNotObject)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("parse JSON: %w", err)
	}
	if tok == json.Delim('{') {
		m, err := tokenObject(dec)
		if err != nil {
			return err
		}
		emit(EventFromMap(m))
		return nil
	}
	for dec.More() {
		if _, err := dec.Token(); err != nil { // the element's '{'
			return fmt.Errorf("parse JSON: %w", err)
		}
		m, err := tokenObject(dec)
		if err != nil {
			return err
		}
		emit(EventFromMap(m))
	}
	return nil
}

func firstNonSpace(data []byte) byte {
	for _, c := range data {
		switch c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// checkArrayOfObjects reports an error unless every element of the
// top-level array (data is valid JSON) is an object.
func checkArrayOfObjects(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("parse JSON: %w", err)
		}
		if depth == 1 && tok != json.Delim('{') && tok != json.Delim(']') {
			return fmt.Errorf("%w: an array element is not an object", ErrJSONNotObject)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// tokenObject reads an object's members up to its closing brace.
func tokenObject(dec *json.Decoder) (*Map, error) {
	m := &Map{}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("parse JSON: %w", err)
		}
		k, _ := kt.(string)
		v, err := tokenValue(dec)
		if err != nil {
			return nil, err
		}
		m.Set(k, v)
	}
	if _, err := dec.Token(); err != nil { // '}'
		return nil, fmt.Errorf("parse JSON: %w", err)
	}
	return m, nil
}

func tokenValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("parse JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return tokenObject(dec)
		}
		list := []any{}
		for dec.More() {
			v, err := tokenValue(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		if _, err := dec.Token(); err != nil { // ']'
			return nil, fmt.Errorf("parse JSON: %w", err)
		}
		return list, nil
	case string:
		return t, nil
	case json.Number:
		return numberValue(string(t)), nil
	case bool:
		return t, nil
	default:
		return nil, nil
	}
}

// numberValue converts a JSON number with the decoder's rules: int64 when
// it is an integer that fits, float64 otherwise.
func numberValue(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}
