package circlecitest

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Server is a running simulated CircleCI on a loopback port, like httptest.Server.
type Server struct {
	*Handler
	URL   string // host URL; the API base is URL + "/api/v1.1"
	Token string
	srv   *http.Server
	ln    net.Listener
}

// NewServer starts a simulated CircleCI on 127.0.0.1 (a free port). It panics if it cannot listen,
// as httptest.NewServer does.
func NewServer(opts Options) *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("circlecitest: could not listen on loopback: %v", err))
	}
	return Serve(ln, NewHandler(opts))
}

// Serve serves hd on ln (the simulate command uses it to honour --listen).
func Serve(ln net.Listener, hd *Handler) *Server {
	s := &Server{Handler: hd, URL: "http://" + ln.Addr().String(), Token: hd.Token(), ln: ln,
		srv: &http.Server{Handler: hd, ReadHeaderTimeout: 10 * time.Second, ErrorLog: nil}}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener failed; requests will fail and tell the test
		}
	}()
	return s
}

// Close stops the server and drops open connections, so stalled (slow-body) requests end too.
func (s *Server) Close() { _ = s.srv.Close() }
