package circlecitest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// obj is a JSON object whose keys keep their insertion order, so responses are byte-stable and a
// key can be absent (not added) or null (nil value): the real API does both.
type obj []kv

type kv struct {
	k string
	v any
}

func (o *obj) add(k string, v any) { *o = append(*o, kv{k, v}) }

// float renders a number with a fractional part (e.g. 12345.0): real responses mix ints and floats.
type float float64

// stamp renders a time in the API's format; the zero time renders as null.
type stamp time.Time

func encode(buf *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case string:
		writeString(buf, x)
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case int:
		buf.WriteString(strconv.Itoa(x))
	case int64:
		buf.WriteString(strconv.FormatInt(x, 10))
	case float64:
		buf.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	case float:
		s := strconv.FormatFloat(float64(x), 'f', -1, 64)
		if !bytes.ContainsAny([]byte(s), ".e") {
			s += ".0"
		}
		buf.WriteString(s)
	case stamp:
		t := time.Time(x)
		if t.IsZero() {
			buf.WriteString("null")
			return
		}
		buf.WriteByte('"')
		buf.WriteString(t.UTC().Format("2006-01-02T15:04:05.000Z"))
		buf.WriteByte('"')
	case obj:
		buf.WriteByte('{')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, e.k)
			buf.WriteByte(':')
			encode(buf, e.v)
		}
		buf.WriteByte('}')
	case []obj:
		writeArray(buf, x, func(e obj) { encode(buf, e) })
	case []any:
		writeArray(buf, x, func(e any) { encode(buf, e) })
	case []string:
		writeArray(buf, x, func(e string) { writeString(buf, e) })
	case []int:
		writeArray(buf, x, func(e int) { buf.WriteString(strconv.Itoa(e)) })
	default:
		b, err := json.Marshal(x)
		if err != nil {
			buf.WriteString("null")
			return
		}
		buf.Write(b)
	}
}

// writeArray writes xs as a JSON array, each element by write.
func writeArray[T any](buf *bytes.Buffer, xs []T, write func(T)) {
	buf.WriteByte('[')
	for i, e := range xs {
		if i > 0 {
			buf.WriteByte(',')
		}
		write(e)
	}
	buf.WriteByte(']')
}

const hexDigits = "0123456789abcdef"

// writeString writes s as a JSON string (quotes, backslashes and control characters escaped).
func writeString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		buf.WriteString(s[start:i])
		switch c {
		case '"', '\\':
			buf.WriteByte('\\')
			buf.WriteByte(c)
		case '\n':
			buf.WriteString(`\n`)
		case '\t':
			buf.WriteString(`\t`)
		case '\r':
			buf.WriteString(`\r`)
		default:
			buf.WriteString(`\u00`)
			buf.WriteByte(hexDigits[c>>4])
			buf.WriteByte(hexDigits[c&0xf])
		}
		start = i + 1
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}
