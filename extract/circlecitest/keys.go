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
	return obj{{"public_key", k.PublicKey}, {"type", k.Type}, {"fingerprint", k.Fingerprint}, {"preferred", k.Preferred}, {"time", stamp(k.Time)}}
}
