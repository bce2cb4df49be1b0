package main

import (
	"bufio"
	"context"
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
	"yuetan/internal/texttable"
)

// TestMain removes the server binary after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	testtool.RemoveBinary()
	os.Exit(code)
}

func freeAddr(t *testing.T, host string) string {
	t.Helper()
	l, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// started is what a server printed until it said it was ready, and what it
// printed while it answered a few requests after that.
type started struct{ stdout, stderr []string }

// serve runs the binary with args until it prints its start message, sends
// a few requests, stops it and returns everything it printed.
func serve(t *testing.T, bin, addr string, args ...string) started {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--http", addr}, args...)...)
	outPipe, _ := cmd.StdoutPipe()
	errPipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var res started
	ready := make(chan struct{})
	var once sync.Once
	read := func(r io.Reader, into *[]string) {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			mu.Lock()
			*into = append(*into, sc.Text())
			mu.Unlock()
			if sc.Text() == "按 Ctrl+C 停止。" {
				once.Do(func() { close(ready) })
			}
		}
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); read(outPipe, &res.stdout) }()
	go func() { defer wg.Done(); read(errPipe, &res.stderr) }()
	select {
	case <-ready:
	case <-ctx.Done():
		t.Fatalf("no start message within the time limit:\n%s", strings.Join(res.stdout, "\n"))
	}
	base := "http://" + strings.Replace(addr, "0.0.0.0", "127.0.0.1", 1)
	for _, p := range []string{"/api/health", "/", "/api/collections/applications/records", "/api/workflow"} {
		r, err := http.Get(base + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		r.Body.Close()
	}
	_ = cmd.Process.Signal(os.Interrupt)
	wg.Wait()
	_ = cmd.Wait()
	return res
}

// TestServeDemoStartMessage: `yuetan serve --demo` says what started and
// where (web app, dashboard), lists the demo accounts in a table whose
// columns line up with Chinese characters two columns wide, and prints no
// SQL or debug lines — not at start, not while it answers requests — even
// from a binary in the temp dir; --dev turns the SQL on when asked for.
func TestServeDemoStartMessage(t *testing.T) {
	t.Parallel()
	bin := testtool.Binary(t)
	dir := t.TempDir()
	addr := freeAddr(t, "127.0.0.1")
	first := serve(t, bin, addr, "--demo", "--dir", dir)
	out := strings.Join(first.stdout, "\n")
	for _, want := range []string{"群众约谈服务器已启动", "http://" + addr + "/", "http://" + addr + "/_/", "演示数据已创建。", "密码均为 " + demo.Password, demo.SuperuserEmail} {
		if !strings.Contains(out, want) {
			t.Errorf("start message lacks %q:\n%s", want, out)
		}
	}
	for _, line := range append(first.stdout, first.stderr...) {
		for _, noise := range []string{"SELECT", "INSERT", "UPDATE ", "DEBUG", "invalid key path", "[0."} {
			if strings.Contains(line, noise) {
				t.Errorf("noise in the output: %q", line)
			}
		}
	}
	if n := len(first.stdout) + len(first.stderr); n > 40 {
		t.Errorf("%d lines printed; a newcomer should see the start message and the accounts, not more:\n%s", n, out)
	}
	// the account table: every account's role and name start at the same terminal column
	roleAt, nameAt := -1, -1
	for _, a := range demo.Accounts {
		var line string
		for _, l := range first.stdout {
			if strings.HasPrefix(strings.TrimSpace(l), a.Email+" ") {
				line = l
			}
		}
		if line == "" {
			t.Errorf("account %s not listed", a.Email)
			continue
		}
		r := texttable.Width(line[:strings.Index(line, "  "+strings.Fields(line[len("  "+a.Email):])[0])+2])
		n := texttable.Width(line[:strings.LastIndex(line, a.Name)])
		if roleAt == -1 {
			roleAt, nameAt = r, n
		} else if r != roleAt || n != nameAt {
			t.Errorf("columns do not line up: role at %d (want %d), name at %d (want %d): %q", r, roleAt, n, nameAt, line)
		}
	}

	// a second start adds nothing and says so
	again := serve(t, bin, addr, "--demo", "--dir", dir)
	if !strings.Contains(strings.Join(again.stdout, "\n"), "演示数据已存在，未重复创建。") {
		t.Errorf("second start:\n%s", strings.Join(again.stdout, "\n"))
	}

	// dev mode when asked for
	dev := serve(t, bin, addr, "--dir", dir, "--dev")
	if !strings.Contains(strings.Join(append(dev.stdout, dev.stderr...), "\n"), "SELECT") {
		t.Error("--dev prints no SQL")
	}
}

// TestServePublicURLWarning: listening on every interface with no public
// URL (or a localhost one) warns at start; --public-url is saved and shown,
// and an invalid one stops the server with a Chinese message.
func TestServePublicURLWarning(t *testing.T) {
	t.Parallel()
	bin := testtool.Binary(t)
	dir := t.TempDir()
	// a superuser first: without one PocketBase's installer saves one from a
	// goroutine, which may outlive the short serves below and print to stderr
	if out, err := exec.Command(bin, "superuser", "upsert", "admin@yuetan.example", "yuetan2026", "--dir", dir).CombinedOutput(); err != nil {
		t.Fatalf("superuser upsert: %v\n%s", err, out)
	}
	addr := freeAddr(t, "0.0.0.0")
	open := serve(t, bin, addr, "--dir", dir)
	if warn := strings.Join(open.stderr, "\n"); !strings.Contains(warn, "没有设置公开地址") || !strings.Contains(warn, "--public-url") {
		t.Errorf("no warning for %s without a public URL:\nstderr: %s\nstdout: %s", addr, warn, strings.Join(open.stdout, "\n"))
	}
	set := serve(t, bin, addr, "--dir", dir, "--public-url", "https://yuetan.jiangdong.gov.cn/")
	if len(set.stderr) != 0 {
		t.Errorf("warning despite a public URL: %s", strings.Join(set.stderr, "\n"))
	}
	if !strings.Contains(strings.Join(set.stdout, "\n"), "表单二维码  https://yuetan.jiangdong.gov.cn") {
		t.Errorf("public URL not shown:\n%s", strings.Join(set.stdout, "\n"))
	}
	// saved: the next start without the flag still uses it
	kept := serve(t, bin, addr, "--dir", dir)
	if len(kept.stderr) != 0 || !strings.Contains(strings.Join(kept.stdout, "\n"), "https://yuetan.jiangdong.gov.cn") {
		t.Errorf("public URL not kept:\nstderr: %s\nstdout: %s", strings.Join(kept.stderr, "\n"), strings.Join(kept.stdout, "\n"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, _ := exec.CommandContext(ctx, bin, "serve", "--http", freeAddr(t, "127.0.0.1"), "--dir", dir, "--public-url", "yuetan.gov.cn").CombinedOutput()
	if ctx.Err() != nil || !strings.Contains(string(out), "公开地址应为完整的 http(s) 网址") {
		t.Errorf("invalid --public-url: the server did not stop with a clear message (%v):\n%s", ctx.Err(), out)
	}
	if strings.Contains(string(out), "已启动") {
		t.Errorf("the server started with an invalid public URL:\n%s", out)
	}
}
