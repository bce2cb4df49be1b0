package tabletsync_test

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"yuetan/internal/testtool"
)

// server is the yuetan binary serving a data dir on a loopback port.
type server struct {
	t    testing.TB
	bin  string
	dir  string
	addr string
	cmd  *exec.Cmd
	log  *os.File
}

func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func startServer(t testing.TB, dir string) *server {
	t.Helper()
	s := &server{t: t, bin: testtool.Binary(t), dir: dir, addr: freeAddr(t)}
	s.start()
	t.Cleanup(func() { s.kill() })
	return s
}

func (s *server) URL() string { return "http://" + s.addr }

// start runs the server (with the demo district) and waits until it answers.
func (s *server) start() {
	s.t.Helper()
	var err error
	s.log, err = os.OpenFile(filepath.Join(s.dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		s.t.Fatal(err)
	}
	s.cmd = exec.Command(s.bin, "serve", "--dev=false", "--demo", "--dir", filepath.Join(s.dir, "pb_data"), "--http", s.addr)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		res, err := http.Get(s.URL() + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.t.Fatalf("server did not start; see %s", s.log.Name())
}

// kill sends SIGKILL and reaps the process.
func (s *server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
	s.log.Close()
}

// pid returns the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }
