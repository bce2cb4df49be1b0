package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"yuetan/demo"
)

// startBinary builds and starts the real server (apis.Serve and main's
// wiring, not the test environment's) on a fresh data dir with the demo
// district; it stops with the test.
func startBinary(t *testing.T) string {
	t.Helper()
	bin := buildBinary(t)
	addr := freeAddr(t, "127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.CommandContext(ctx, bin, "serve", "--demo", "--http", addr, "--dir", t.TempDir())
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		cancel()
	})
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "按 Ctrl+C 停止。" {
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-ctx.Done():
		t.Fatal("the server did not start")
	}
	return addr
}

// TestServeBinaryKeepsRequestsApart attacks the real binary: a request
// whose 300 KB body is made of pipelined requests, answered without
// reading it, gets one response and the connection closes; none of the
// body's requests runs.
func TestServeBinaryKeepsRequestsApart(t *testing.T) {
	t.Parallel()
	addr := startBinary(t)
	var body strings.Builder
	for i := 0; body.Len() < 300<<10; i++ {
		fmt.Fprintf(&body, "GET /api/health?smuggled=%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	}
	for _, target := range []string{"GET /api/health", "POST /api/sync/push", "POST /nope"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.SetDeadline(time.Now().Add(time.Minute))
		go fmt.Fprintf(c, "%s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s", target, body.Len(), body.String())
		br := bufio.NewReader(c)
		n := 0
		for {
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					t.Errorf("%s: the connection stayed open", target)
				}
				break
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			n++
		}
		c.Close()
		if n != 1 {
			t.Errorf("%s: %d responses, want 1 (the body's requests ran)", target, n)
		}
	}
}

// TestServeBinaryLimitsSignIn: the real binary on a fresh install has the
// rate limits on (by migration): a burst of wrong passwords from one
// address is answered 429 in Chinese once the sign-in rule's 30 a minute
// are used up, and the right password too.
func TestServeBinaryLimitsSignIn(t *testing.T) {
	addr := startBinary(t)
	url := "http://" + addr + "/api/collections/users/auth-with-password"
	signIn := func(password string) (int, string) {
		body := `{"identity":"grid@yuetan.example","password":"` + password + `"}`
		res, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	start := time.Now()
	for i := range 30 {
		if st, b := signIn(fmt.Sprintf("guess-%d", i)); st != http.StatusBadRequest {
			t.Fatalf("guess %d: %d %s, want 400", i+1, st, b)
		}
	}
	if time.Since(start) > time.Minute {
		t.Fatal("30 guesses took over the one-minute window: the test cannot tell")
	}
	for _, pw := range []string{"guess-31", demo.Password} {
		if st, b := signIn(pw); st != http.StatusTooManyRequests || !strings.Contains(b, "登录尝试过于频繁") {
			t.Fatalf("after 30 guesses, %q: %d %s, want 429 in Chinese", pw, st, b)
		}
	}
}
