package web

import (
	"bytes"
	"encoding/json"
)

// nullable is a field of a PATCH body that tells three cases apart, which a pointer cannot:
// left out (Set false: leave the value), null (Set, Value nil: empty it) and a value.
type nullable[T any] struct {
	Set   bool
	Value *T
}

// UnmarshalJSON is called only for a field the body has, null included.
func (n *nullable[T]) UnmarshalJSON(b []byte) error {
	n.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		n.Value = nil
		return nil
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	n.Value = &v
	return nil
}

// orEmpty is the update a nullable string asks for: nil when left out, "" when null.
func (n nullable[T]) orEmpty() *T {
	if !n.Set {
		return nil
	}
	if n.Value == nil {
		var zero T
		return &zero
	}
	return n.Value
}

// orNil is the update a nullable value asks for: nil when left out, a pointer to nil when
// null.
func (n nullable[T]) orNil() **T {
	if !n.Set {
		return nil
	}
	v := n.Value
	return &v
}
