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
)

// TestServeBinaryKeepsRequestsApart attacks the real binary (apis.Serve and
// main's wiring, not the test environment's): a request whose 300 KB body
// is made of pipelined requests, answered without reading it, gets one
// response and the connection closes; none of the body's requests runs.
func TestServeBinaryKeepsRequestsApart(t *testing.T) {
	bin := buildBinary(t)
	addr := freeAddr(t, "127.0.0.1")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--http", addr, "--dir", t.TempDir())
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
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
