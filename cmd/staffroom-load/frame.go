package main

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// frame is the part of a server frame the load tool looks at.
type frame struct {
	Type      string
	Topic     string
	Event     string
	Seq       int64
	HasSeq    bool
	Ephemeral bool
	Code      string
	Message   string
	Data      []byte // raw JSON, aliasing the read buffer
}

// parseFrame reads a server frame's top-level fields without decoding data: at 500,000
// frames a second on a shared 2-core machine, a full json.Unmarshal per frame would make
// the tool, not the server, the thing being measured. Strings with escapes fall back to
// encoding/json.
func parseFrame(b []byte) (frame, bool) {
	var f frame
	ok := eachField(b, func(key, val []byte) bool {
		switch string(key) {
		case "type":
			f.Type, _ = jsonString(val)
		case "topic":
			f.Topic, _ = jsonString(val)
		case "event":
			f.Event, _ = jsonString(val)
		case "code":
			f.Code, _ = jsonString(val)
		case "message":
			f.Message, _ = jsonString(val)
		case "seq":
			n, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil {
				return false
			}
			f.Seq, f.HasSeq = n, true
		case "ephemeral":
			f.Ephemeral = string(val) == "true"
		case "data":
			f.Data = val
		}
		return true
	})
	return f, ok && f.Type != ""
}

// dataInt reads an integer field at the top level of a data object.
func dataInt(data []byte, name string) (int64, bool) {
	var n int64
	found := false
	eachField(data, func(key, val []byte) bool {
		if string(key) == name {
			v, err := strconv.ParseInt(string(val), 10, 64)
			n, found = v, err == nil
			return false
		}
		return true
	})
	return n, found
}

// eachField calls fn with each key and raw value of the JSON object b, until fn returns
// false. It reports false when b is not a well-formed object.
func eachField(b []byte, fn func(key, val []byte) bool) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return true
	}
	for i < len(b) {
		if b[i] != '"' {
			return false
		}
		end := skipValue(b, i)
		if end < 0 {
			return false
		}
		key := b[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			s, ok := jsonString(b[i:end])
			if !ok {
				return false
			}
			key = []byte(s)
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		vend := skipValue(b, i)
		if vend < 0 {
			return false
		}
		if !fn(key, b[i:vend]) {
			return true
		}
		i = skipSpace(b, vend)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return true
		default:
			return false
		}
	}
	return false
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the JSON value starting at b[i], or -1.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		for j := i + 1; j < len(b); j++ {
			switch b[j] {
			case '\\':
				j++
			case '"':
				return j + 1
			}
		}
		return -1
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				end := skipValue(b, j)
				if end < 0 {
					return -1
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	default:
		j := i
		for j < len(b) {
			c := b[j]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				break
			}
			j++
		}
		if j == i {
			return -1
		}
		return j
	}
}

// jsonString decodes a JSON string value.
func jsonString(val []byte) (string, bool) {
	if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
		return "", false
	}
	inner := val[1 : len(val)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(val, &s); err != nil {
		return "", false
	}
	return s, true
}

// markerIndex finds a marker the tool wrote into a post or comment body ("<prefix><n>.")
// anywhere in b (the body and its rendered HTML both carry it) and returns n.
func markerIndex(b, prefix []byte) (int, bool) {
	i := bytes.Index(b, prefix)
	if i < 0 {
		return 0, false
	}
	j := i + len(prefix)
	n, digits := 0, 0
	for j < len(b) && b[j] >= '0' && b[j] <= '9' && digits < 9 {
		n = n*10 + int(b[j]-'0')
		j++
		digits++
	}
	if digits == 0 || j >= len(b) || b[j] != '.' {
		return 0, false
	}
	return n, true
}
