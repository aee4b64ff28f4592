package extract

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The CircleCI v1.1 API is loose about types: any field may be null or missing, numbers come as
// ints, floats or strings, and booleans as true/null/false. The Opt* types below decode every such
// form and never fail: a value of the wrong shape decodes as not Valid (NULL), so one odd field
// never loses a whole build.

// OptInt is an integer that may be null, missing, a float (2.0) or a numeric string ("42").
type OptInt struct {
	V     int64
	Valid bool
}

// Int returns a valid OptInt holding v.
func Int(v int64) OptInt { return OptInt{V: v, Valid: true} }

// UnmarshalJSON implements json.Unmarshaler; it never returns an error.
func (o *OptInt) UnmarshalJSON(b []byte) error {
	*o = OptInt{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == 'n' {
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		var ok bool
		if s, ok = unquote(b); !ok {
			return nil
		}
		s = strings.TrimSpace(s)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*o = OptInt{V: n, Valid: true}
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == f && f > -9.2e18 && f < 9.2e18 {
		*o = OptInt{V: int64(f), Valid: true}
	}
	return nil
}

// MarshalJSON writes the number or null.
func (o OptInt) MarshalJSON() ([]byte, error) {
	if !o.Valid {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, o.V, 10), nil
}

// OptFloat is a number that may be null, missing, an int or a numeric string.
type OptFloat struct {
	V     float64
	Valid bool
}

// UnmarshalJSON implements json.Unmarshaler; it never returns an error.
func (o *OptFloat) UnmarshalJSON(b []byte) error {
	*o = OptFloat{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == 'n' {
		return nil
	}
	s := string(b)
	if b[0] == '"' {
		var ok bool
		if s, ok = unquote(b); !ok {
			return nil
		}
		s = strings.TrimSpace(s)
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == f {
		*o = OptFloat{V: f, Valid: true}
	}
	return nil
}

// MarshalJSON writes the number or null.
func (o OptFloat) MarshalJSON() ([]byte, error) {
	if !o.Valid {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, o.V, 'g', -1, 64), nil
}

// OptBool is a boolean that may be null, missing, or given as "true"/"false", 0/1.
// The API's `failed` is true or null (and false in newer builds): null is kept as not Valid.
type OptBool struct {
	V     bool
	Valid bool
}

// Bool returns a valid OptBool holding v.
func Bool(v bool) OptBool { return OptBool{V: v, Valid: true} }

// UnmarshalJSON implements json.Unmarshaler; it never returns an error.
func (o *OptBool) UnmarshalJSON(b []byte) error {
	*o = OptBool{}
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	switch strings.ToLower(s) {
	case "true", "1":
		*o = OptBool{V: true, Valid: true}
	case "false", "0":
		*o = OptBool{V: false, Valid: true}
	}
	return nil
}

// MarshalJSON writes the boolean or null.
func (o OptBool) MarshalJSON() ([]byte, error) {
	if !o.Valid {
		return []byte("null"), nil
	}
	return strconv.AppendBool(nil, o.V), nil
}

// OptString is text that may be null or missing. Numbers and booleans are kept as their text,
// so an unexpected type never loses the value; objects and arrays decode as not Valid.
type OptString struct {
	V     string
	Valid bool
}

// String returns a valid OptString holding v.
func String(v string) OptString { return OptString{V: v, Valid: true} }

// UnmarshalJSON implements json.Unmarshaler; it never returns an error.
func (o *OptString) UnmarshalJSON(b []byte) error {
	*o = OptString{}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] == 'n' || b[0] == '{' || b[0] == '[' {
		return nil
	}
	if b[0] == '"' {
		if s, ok := unquote(b); ok {
			*o = OptString{V: s, Valid: true}
		}
		return nil
	}
	*o = OptString{V: string(b), Valid: true}
	return nil
}

// MarshalJSON writes the string or null.
func (o OptString) MarshalJSON() ([]byte, error) {
	if !o.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(o.V)
}

// OptTime is an ISO-8601 timestamp that may be null, missing or malformed (then not Valid).
// Server times come as UTC with milliseconds; older ones without; git dates with an offset.
// V is always in UTC.
type OptTime struct {
	V     time.Time
	Valid bool
}

// Time returns a valid OptTime holding t in UTC.
func Time(t time.Time) OptTime { return OptTime{V: t.UTC(), Valid: true} }

// UnmarshalJSON implements json.Unmarshaler; it never returns an error.
func (o *OptTime) UnmarshalJSON(b []byte) error {
	*o = OptTime{}
	s, ok := unquote(bytes.TrimSpace(b))
	if !ok || s == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			*o = OptTime{V: t.UTC(), Valid: true}
			return nil
		}
	}
	return nil
}

// MarshalJSON writes the RFC 3339 time with milliseconds, or null.
func (o OptTime) MarshalJSON() ([]byte, error) {
	if !o.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(o.V.UTC().Format("2006-01-02T15:04:05.000Z07:00"))
}

// unquote returns the text of a JSON string literal. encoding/json has already validated the
// value it hands an UnmarshalJSON method, so a literal without escapes and with valid UTF-8 is
// its own text; only the others go through the full decoder. Strings are most of a build's
// fields, so this is the decoder's hot path.
func unquote(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	inner := b[1 : len(b)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", false
	}
	return s, true
}
