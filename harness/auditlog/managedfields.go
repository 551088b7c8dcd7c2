package auditlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// dropManagedFields removes metadata.managedFields from a JSON object, from
// the items of a list and from the objects of a Table's rows, as
// k8s.io/apiserver's audit does with omitManagedFields. Everything else is
// kept byte for byte, key order included: re-encoding through a map would
// sort the keys, and the log would no longer read as kube-apiserver's.
func dropManagedFields(raw []byte) ([]byte, error) {
	return editObject(raw, func(key string, value []byte) ([]byte, error) {
		switch key {
		case "metadata":
			return editObject(value, func(key string, value []byte) ([]byte, error) {
				if key == "managedFields" {
					return nil, nil
				}
				return value, nil
			})
		case "items": // a list
			return editArray(value, dropManagedFields)
		case "rows": // a Table
			return editArray(value, func(row []byte) ([]byte, error) {
				return editObject(row, func(key string, value []byte) ([]byte, error) {
					if key == "object" {
						return dropManagedFields(value)
					}
					return value, nil
				})
			})
		}
		return value, nil
	})
}

// editObject rewrites a JSON object's members with edit, in order; a nil
// value drops the member. A value that is not an object is returned as is.
func editObject(raw []byte, edit func(key string, value []byte) ([]byte, error)) ([]byte, error) {
	body, tail := trimSpace(raw)
	if len(body) == 0 || body[0] != '{' {
		return raw, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	out := bytes.NewBuffer(make([]byte, 0, len(raw)))
	out.WriteByte('{')
	first := true
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("object key %v is not a string", tok)
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, err
		}
		edited, err := edit(key, value)
		if err != nil {
			return nil, err
		}
		if edited == nil {
			continue
		}
		if !first {
			out.WriteByte(',')
		}
		first = false
		k, err := json.Marshal(key)
		if err != nil {
			return nil, err
		}
		out.Write(k)
		out.WriteByte(':')
		out.Write(edited)
	}
	if _, err := dec.Token(); err != nil { // }
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("data after the object")
	}
	out.WriteByte('}')
	out.Write(tail)
	return out.Bytes(), nil
}

// editArray rewrites a JSON array's elements with edit. A value that is not
// an array is returned as is.
func editArray(raw []byte, edit func([]byte) ([]byte, error)) ([]byte, error) {
	body, tail := trimSpace(raw)
	if len(body) == 0 || body[0] != '[' {
		return raw, nil
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(body, &elems); err != nil {
		return nil, err
	}
	out := bytes.NewBuffer(make([]byte, 0, len(raw)))
	out.WriteByte('[')
	for i, e := range elems {
		edited, err := edit(e)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out.WriteByte(',')
		}
		out.Write(edited)
	}
	out.WriteByte(']')
	out.Write(tail)
	return out.Bytes(), nil
}

// trimSpace splits raw into its value and the white space after it (the
// newline an encoder ends with).
func trimSpace(raw []byte) (body, tail []byte) {
	end := len(bytes.TrimRight(raw, " \t\r\n"))
	return bytes.TrimLeft(raw[:end], " \t\r\n"), raw[end:]
}
