package dashboards

import (
	"errors"
	"testing"
)

func TestCheckListenAddr(t *testing.T) {
	for _, tc := range []struct {
		addr        string
		allowRemote bool
		ok          bool
	}{
		{"127.0.0.1:8080", false, true},
		{"127.0.0.2:0", false, true},
		{"localhost:8080", false, true},
		{"[::1]:8080", false, true},
		{"[::ffff:127.0.0.1]:80", false, true},
		{":8080", false, false},
		{"0.0.0.0:8080", false, false},
		{"[::]:8080", false, false},
		{"192.168.1.10:8080", false, false},
		{"example.com:8080", false, false},
		{"0.0.0.0:8080", true, true},
		{":8080", true, true},
		{"127.0.0.1", false, false}, // no port: malformed
	} {
		err := CheckListenAddr(tc.addr, tc.allowRemote)
		if (err == nil) != tc.ok {
			t.Errorf("CheckListenAddr(%q, %v) = %v, want ok=%v", tc.addr, tc.allowRemote, err, tc.ok)
		}
		if !tc.ok && tc.addr != "127.0.0.1" && !errors.Is(err, errRemoteListen) {
			t.Errorf("CheckListenAddr(%q): %v does not wrap errRemoteListen", tc.addr, err)
		}
	}
}
