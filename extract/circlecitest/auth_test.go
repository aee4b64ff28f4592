package circlecitest

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestAuthForms(t *testing.T) {
	s := smallServer(t)
	cases := map[string]reqOpt{
		"header": func(r *http.Request) {},
		"basic": func(r *http.Request) {
			r.Header.Del("Circle-Token")
			r.SetBasicAuth(s.Token, "")
		},
		"query": func(r *http.Request) {
			r.Header.Del("Circle-Token")
			q := r.URL.Query()
			q.Set("circle-token", s.Token)
			r.URL.RawQuery = q.Encode()
		},
	}
	for name, opt := range cases {
		t.Run(name, func(t *testing.T) {
			if code, _, b := do(t, s, "GET", "/me", "", opt); code != http.StatusOK {
				t.Fatalf("status %d: %s", code, b)
			}
		})
	}
	bad := map[string]reqOpt{
		"missing":    noToken,
		"bad header": func(r *http.Request) { r.Header.Set("Circle-Token", "wrong") },
		"bad basic": func(r *http.Request) {
			r.Header.Del("Circle-Token")
			r.SetBasicAuth("wrong", "")
		},
		"bad query": func(r *http.Request) {
			r.Header.Del("Circle-Token")
			r.URL.RawQuery = "circle-token=wrong"
		},
	}
	for name, opt := range bad {
		t.Run(name, func(t *testing.T) {
			for _, path := range []string{"/me", "/projects", "/recent-builds", "/project/github/acme/api", "/project/github/acme/api/3"} {
				code, hdr, b := do(t, s, "GET", path, "", opt)
				if code != http.StatusUnauthorized {
					t.Fatalf("%s: status %d, want 401", path, code)
				}
				var m map[string]string
				if err := json.Unmarshal(b, &m); err != nil || m["message"] == "" {
					t.Fatalf("%s: 401 body %q is not {\"message\":…} JSON (%v, %s)", path, b, err, hdr.Get("Content-Type"))
				}
			}
		})
	}
}

func TestOSSReadableWithoutToken(t *testing.T) {
	s := smallServer(t)
	for _, path := range []string{"/project/github/acme/web", "/project/github/acme/web/tree/master", "/project/github/acme/web/5",
		"/project/github/acme/web/5/tests", "/project/github/acme/web/5/artifacts"} {
		if code, _, b := do(t, s, "GET", path, "", noToken); code != http.StatusOK {
			t.Errorf("F/OSS %s without token: status %d: %s", path, code, b)
		}
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/project/github/acme/api"}, {"GET", "/project/bitbucket/acme/legacy/3"},
		{"POST", "/project/github/acme/web/5/retry"}, {"POST", "/project/github/acme/web/tree/master"},
		{"GET", "/project/github/acme/web/checkout-key"}, {"GET", "/recent-builds"},
	} {
		if code, _, _ := do(t, s, c.method, c.path, "", noToken); code != http.StatusUnauthorized {
			t.Errorf("%s %s without token: status %d, want 401", c.method, c.path, code)
		}
	}
	bad := func(r *http.Request) { r.Header.Set("Circle-Token", "wrong") }
	if code, _, _ := do(t, s, "GET", "/project/github/acme/web", "", bad); code != http.StatusUnauthorized {
		t.Errorf("F/OSS with a bad token: status %d, want 401", code)
	}
}

// TestAuthBeforeLookup: without a valid token an unknown project is a 401 like a known private
// one; with the token it is a 404.
func TestAuthBeforeLookup(t *testing.T) {
	s := smallServer(t)
	bad := func(r *http.Request) { r.Header.Set("Circle-Token", "wrong") }
	for _, path := range []string{"/project/github/acme/nope", "/project/github/acme/nope/3", "/project/github/nobody/web/3/tests"} {
		for name, opt := range map[string]reqOpt{"no token": noToken, "bad token": bad} {
			if code, _, _ := do(t, s, "GET", path, "", opt); code != http.StatusUnauthorized {
				t.Errorf("%s, %s: status %d, want 401", path, name, code)
			}
		}
		if code, _, _ := do(t, s, "GET", path, ""); code != http.StatusNotFound {
			t.Errorf("%s with the token: status %d, want 404", path, code)
		}
	}
}
