// Package pgtest gives tests a real PostgreSQL: the server scripts/test.sh
// started (YUETAN_TEST_POSTGRES), or a throwaway one this package starts
// itself with Debian's initdb and pg_ctl, as scripts/postgres.sh does. Each
// test gets a fresh database of its own. When PostgreSQL is not installed
// the test is skipped — except under CI (CI set) or with
// YUETAN_REQUIRE_POSTGRES=1, where it fails: a skipped test cannot fail.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the test server's URL.
const EnvURL = "YUETAN_TEST_POSTGRES"

// required reports whether a missing PostgreSQL must fail the test.
func required() bool {
	return os.Getenv("CI") != "" || os.Getenv("YUETAN_REQUIRE_POSTGRES") == "1"
}

// unavailable skips or fails t because PostgreSQL cannot be had.
func unavailable(t testing.TB, why string) {
	t.Helper()
	msg := "PostgreSQL unavailable: " + why + " (Debian: apt-get install postgresql; or set " + EnvURL + ")"
	if required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// BinDir finds initdb, pg_ctl and pg_basebackup: Debian's newest
// /usr/lib/postgresql/<version>/bin, else where pg_ctl on PATH really
// lives (symlinks resolved); "" when not installed.
func BinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) < version(dirs[j]) })
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if _, err := os.Stat(filepath.Join(filepath.Dir(real), "initdb")); err == nil {
				return filepath.Dir(real)
			}
		}
	}
	return ""
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Server is a throwaway PostgreSQL server started by this package.
type Server struct {
	Dir  string // its directory (data, log, socket)
	Port int
	bin  string
	as   []string // runuser prefix when running as root
	mu   sync.Mutex
}

// URL is the server's admin URL (database postgres).
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
}

func (s *Server) run(name string, args ...string) error {
	cmdline := append(append([]string{}, s.as...), append([]string{filepath.Join(s.bin, name)}, args...)...)
	cmd := exec.Command(cmdline[0], cmdline[1:]...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	return nil
}

// Start starts (or restarts) the server on its port.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c fsync=off -c max_connections=200 -c wal_level=replica -c max_wal_senders=4", s.Port, s.Dir)
	return s.run("pg_ctl", "-D", filepath.Join(s.Dir, "data"), "-l", filepath.Join(s.Dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
}

// Stop stops the server at once (-m immediate: like a crash; it recovers
// on the next Start).
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.run("pg_ctl", "-D", filepath.Join(s.Dir, "data"), "-m", "immediate", "-w", "stop")
}

// Log returns the server's log (for failure messages).
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "server.log"))
	return string(b)
}

// StartServer starts a private throwaway server for t (stopped and removed
// at the end of the test), for tests that stop and restart it.
func StartServer(t testing.TB) *Server {
	t.Helper()
	s, err := newServer()
	if err != nil {
		if s == nil {
			unavailable(t, err.Error())
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = s.Stop()
		os.RemoveAll(s.Dir)
	})
	return s
}

// StartStandby makes a streaming read replica of primary with
// pg_basebackup (-R: it follows the primary) on a port of its own, for t.
func StartStandby(t testing.TB, primary *Server) *Server {
	t.Helper()
	dir, err := os.MkdirTemp("", "yuetan-pg-standby-")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Dir: dir, bin: primary.bin, as: primary.as}
	t.Cleanup(func() {
		_ = s.Stop()
		os.RemoveAll(dir)
	})
	if len(s.as) > 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.run("pg_basebackup", "-h", "127.0.0.1", "-p", strconv.Itoa(primary.Port), "-U", "postgres",
		"-D", filepath.Join(dir, "data"), "-R", "-X", "stream", "-c", "fast"); err != nil {
		t.Fatal(err)
	}
	if s.Port, err = freePort(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatalf("%v\n%s", err, s.Log())
	}
	return s
}

// newServer runs initdb into a temporary directory and starts the server;
// a nil Server with an error means PostgreSQL is not installed.
func newServer() (*Server, error) {
	bin := BinDir()
	if bin == "" {
		return nil, fmt.Errorf("initdb/pg_ctl not found")
	}
	dir, err := os.MkdirTemp("", "yuetan-pg-")
	if err != nil {
		return &Server{}, err
	}
	s := &Server{Dir: dir, bin: bin}
	if os.Geteuid() == 0 {
		// initdb and postgres refuse to run as root
		u, err := user.Lookup("postgres")
		if err != nil {
			return s, fmt.Errorf("running as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return s, err
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			return s, err
		}
		s.as = []string{"runuser", "-u", "postgres", "--"}
	}
	if err := s.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"); err != nil {
		return s, err
	}
	if s.Port, err = freePort(); err != nil {
		return s, err
	}
	if err := s.Start(); err != nil {
		return s, fmt.Errorf("%w\n%s", err, s.Log())
	}
	return s, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

var (
	sharedOnce sync.Once
	sharedURL  string
	sharedErr  error
	sharedMiss bool
)

// sharedServer is YUETAN_TEST_POSTGRES, or one server started for the
// whole test binary (left for the OS to reap with its temp dir: tests
// cannot run code after the last test, so it is stopped by a watchdog
// when this process exits).
func sharedServer() (string, bool, error) {
	sharedOnce.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			sharedURL = u
			return
		}
		s, err := newServer()
		if err != nil {
			sharedMiss, sharedErr = s == nil, err
			return
		}
		sharedURL = s.URL()
		watch(s)
	})
	return sharedURL, sharedMiss, sharedErr
}

// watch stops s when this process ends, from a small shell that waits for
// the parent's pid to disappear.
func watch(s *Server) {
	script := fmt.Sprintf(`while kill -0 %d 2>/dev/null; do sleep 1; done; %s %s -D %s -m immediate stop >/dev/null 2>&1; rm -rf %s`,
		os.Getpid(), strings.Join(s.as, " "), filepath.Join(s.bin, "pg_ctl"), filepath.Join(s.Dir, "data"), s.Dir)
	cmd := exec.Command("sh", "-c", script)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	_ = cmd.Start()
}

// URL returns the admin URL of the shared test server (skipping or
// failing t when PostgreSQL cannot be had).
func URL(t testing.TB) string {
	t.Helper()
	u, missing, err := sharedServer()
	switch {
	case missing:
		unavailable(t, err.Error())
	case err != nil:
		t.Fatalf("start PostgreSQL: %v", err)
	}
	return u
}

// NewDatabase creates a fresh database on the shared server for t (dropped
// after the test) and returns its URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	return CreateDatabase(t, URL(t))
}

// CreateDatabase creates a fresh database on the server at admin for t
// (dropped after the test) and returns its URL.
func CreateDatabase(t testing.TB, admin string) string {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "yuetan_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("connect %s: %v", redact(admin), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, admin); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<url>"
	}
	return u.Redacted()
}
