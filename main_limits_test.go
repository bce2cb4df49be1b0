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
	"sync"
	"testing"
	"time"

	"yuetan/demo"
	"yuetan/internal/testtool"
)

// startBinary builds and starts the real server (apis.Serve and main's
// wiring, not the test environment's) on a fresh data dir with the demo
// district; it stops with the test.
func startBinary(t *testing.T) string {
	t.Helper()
	bin := testtool.Binary(t)
	addr := freeAddr(t, "127.0.0.1")
	// only the start is time-limited: a loaded machine may take long over
	// the test itself, and the server runs until the test ends
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	cmd := exec.Command(bin, "serve", "--demo", "--http", addr, "--dir", t.TempDir())
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
	// 32 sign-ins at once, the last with the right password: the limiter
	// counts them as they arrive (before any password is checked), so
	// exactly two are refused however slowly the 30 others are answered
	type answer struct {
		status int
		body   string
	}
	answers := make([]answer, 32)
	start := time.Now()
	var wg sync.WaitGroup
	for i := range answers {
		pw := fmt.Sprintf("guess-%d", i)
		if i == len(answers)-1 {
			pw = demo.Password
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, b := signIn(pw)
			answers[i] = answer{st, b}
		}()
	}
	wg.Wait()
	refused := 0
	for i, a := range answers {
		switch {
		case a.status == http.StatusTooManyRequests:
			refused++
			if !strings.Contains(a.body, "登录尝试过于频繁") {
				t.Errorf("429 not in Chinese: %s", a.body)
			}
		case a.status == http.StatusBadRequest && i < len(answers)-1:
		case a.status == http.StatusOK && i == len(answers)-1:
		default:
			t.Errorf("sign-in %d: %d %s", i+1, a.status, a.body)
		}
	}
	if refused != 2 {
		t.Fatalf("%d of 32 sign-ins at once refused, want 2 (30 a minute)", refused)
	}
	// and the right password waits like any other while the minute lasts
	if time.Since(start) < 50*time.Second {
		if st, b := signIn(demo.Password); st != http.StatusTooManyRequests {
			t.Fatalf("the right password after the limit: %d %s, want 429", st, b)
		}
	}
}
