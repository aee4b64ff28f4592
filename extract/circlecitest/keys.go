package circlecitest

import (
	"fmt"
	"time"
)

// checkoutKey is a project's deploy or user key as the checkout-key endpoints show it.
type checkoutKey struct {
	PublicKey   string
	Type        string
	Fingerprint string
	Preferred   bool
	Time        time.Time
}

func newCheckoutKey(seed int64, pi int, n int64, typ string, at time.Time) checkoutKey {
	hx := hexID(seed, 32, tagMisc, int64(pi), n, 31)
	fp := ""
	for i := 0; i < 32; i += 2 {
		if i > 0 {
			fp += ":"
		}
		fp += hx[i : i+2]
	}
	return checkoutKey{PublicKey: fmt.Sprintf("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ%s buildlake-sim", hexID(seed, 64, int64(pi), n, 32)),
		Type: typ, Fingerprint: fp, Preferred: true, Time: at}
}

func initialKey(seed int64, p *project) checkoutKey {
	return newCheckoutKey(seed, p.idx, 0, "deploy-key", time.Date(2024, 1, 15, 9, 30, 0, 0, time.UTC))
}

func (k checkoutKey) json() obj {
	var login any // the user a github-user-key belongs to; null on deploy keys
	if k.Type == "github-user-key" {
		login = "asmith"
	}
	return obj{{"public_key", k.PublicKey}, {"type", k.Type}, {"fingerprint", k.Fingerprint}, {"login", login}, {"preferred", k.Preferred}, {"time", stamp(k.Time)}}
}

// hostKey is an SSH key for an external host (POST …/ssh-key), shown in the project's ssh_keys.
type hostKey struct {
	Hostname, Fingerprint, PublicKey string
}

func (k hostKey) json() obj {
	return obj{{"hostname", k.Hostname}, {"public_key", k.PublicKey}, {"fingerprint", k.Fingerprint}}
}

// fingerprint derives a colon-separated MD5-style fingerprint from a key's text.
func fingerprint(seed int64, text string) string {
	hx := hexID(seed, 32, tagMisc, strHash(text), 33)
	fp := make([]byte, 0, 47)
	for i := 0; i < 32; i += 2 {
		if i > 0 {
			fp = append(fp, ':')
		}
		fp = append(fp, hx[i:i+2]...)
	}
	return string(fp)
}

// masked shows a secret as the API does: "xxxx" and its last four characters.
func masked(v string) string {
	if len(v) <= 4 {
		return "xxxx"
	}
	return "xxxx" + v[len(v)-4:]
}
