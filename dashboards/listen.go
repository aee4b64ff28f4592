package dashboards

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

var errRemoteListen = errors.New("could not listen on a non-loopback address without --allow-remote")

// CheckListenAddr reports an error when addr (host:port) would accept connections from other
// machines and allowRemote is false. The dashboard has no authentication, so it binds loopback
// unless its operator says otherwise. An empty host (":8080") means every interface.
func CheckListenAddr(addr string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("listen address %q: want host:port, e.g. 127.0.0.1:8080: %w", addr, err)
	}
	if allowRemote || isLoopbackHost(host) {
		return nil
	}
	return fmt.Errorf("%w: %q (use 127.0.0.1:PORT, or pass --allow-remote behind an authenticating proxy)", errRemoteListen, addr)
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.Unmap().IsLoopback()
}
