package extract

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
)

// The Decode* functions turn a whole 2xx body into API structs. They are tolerant field by field
// (see decode.go: a value of the wrong type becomes NULL) but strict about structure: a body that
// is not JSON, is truncated, or is not the expected object or array fails with ErrDecode, which
// the Client treats as a transient fault and retries.

// DecodeBuild decodes a build-details body (a JSON object).
func DecodeBuild(b []byte) (Build, error) {
	build, err := decodeBody[Build](b, '{')
	build.normalize()
	return build, err
}

// DecodeBuildList decodes a build-list page (a JSON array).
func DecodeBuildList(b []byte) ([]Build, error) {
	list, err := decodeBody[[]Build](b, '[')
	for i := range list {
		list[i].normalize()
	}
	return list, err
}

// normalize turns nested objects that held nothing usable (a wrong type such as "previous": 5
// leaves an allocated but empty struct behind) back into nil, so nil always means "no value".
func (b *Build) normalize() {
	nilIfZero(&b.Previous)
	nilIfZero(&b.User)
	nilIfZero(&b.Workflows)
	nilIfZero(&b.Picard)
}

func nilIfZero[T any](p **T) {
	if *p != nil && reflect.ValueOf(*p).Elem().IsZero() {
		*p = nil
	}
}

// DecodeTests decodes a tests body ({"tests": […], "exceptions": …}).
func DecodeTests(b []byte) (TestsResponse, error) { return decodeBody[TestsResponse](b, '{') }

// DecodeArtifacts decodes an artifacts body (a JSON array). Artifact URLs never keep a
// circle-token query parameter, so that a token can never reach a table.
func DecodeArtifacts(b []byte) ([]Artifact, error) {
	arts, err := decodeBody[[]Artifact](b, '[')
	for i := range arts {
		if arts[i].URL.Valid {
			arts[i].URL.V = stripTokenParam(arts[i].URL.V)
		}
	}
	return arts, err
}

// DecodeMe decodes a /me body.
func DecodeMe(b []byte) (Me, error) { return decodeBody[Me](b, '{') }

// DecodeProjects decodes a /projects body.
func DecodeProjects(b []byte) ([]Project, error) { return decodeBody[[]Project](b, '[') }

// decodeBody checks the body's top-level shape, then decodes it. A field of the wrong type is
// not an error: encoding/json leaves it zero and reports *json.UnmarshalTypeError after decoding
// everything else, which is exactly the NULL-not-crash rule of the spec.
func decodeBody[T any](b []byte, open byte) (T, error) {
	var v T
	t := bytes.TrimLeft(b, " \t\r\n\ufeff")
	if len(t) == 0 {
		return v, fmt.Errorf("%w: empty body", ErrDecode)
	}
	if t[0] != open {
		want := "an object"
		if open == '[' {
			want = "an array"
		}
		return v, fmt.Errorf("%w: want %s, body starts with %q", ErrDecode, want, preview(t))
	}
	err := json.Unmarshal(t, &v)
	if _, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return v, nil
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	return v, nil
}

// preview is the first few bytes of a body, for an error message (it may be EDN or HTML).
func preview(b []byte) string {
	if len(b) > 16 {
		b = b[:16]
	}
	return strings.ToValidUTF8(string(b), "?")
}

// stripTokenParam removes any circle-token query parameter from u.
func stripTokenParam(u string) string {
	if !tokenParam.MatchString(u) {
		return u
	}
	p, err := url.Parse(u)
	if err != nil {
		return Redact(u)
	}
	q := p.Query()
	for k := range q {
		if k2 := strings.ToLower(k); k2 == "circle-token" || k2 == "circle_token" {
			q.Del(k)
		}
	}
	p.RawQuery = q.Encode()
	return Redact(p.String())
}
