package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"yuetan/internal/testtool"
	"yuetan/notify"
)

// TestServerKilledMidSend runs the real server with the SMS webhook set to
// a receiver on loopback, which SIGKILLs the server the moment the first
// message arrives: sent, never marked. The restarted server sends it
// again with the same idempotency key (the receiver keeps it once) and
// marks it sent after two attempts; no other message is sent twice.
func TestServerKilledMidSend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server")
	}
	bin := testtool.Binary(t)
	dir := t.TempDir()
	var (
		mu      sync.Mutex
		cmd     *exec.Cmd
		seen    = map[string]int{}
		killed  string
		arrived = make(chan string, 100)
	)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !notify.Verify(secret, r.Header.Get(notify.HeaderTimestamp), body, r.Header.Get(notify.HeaderSignature)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		key := r.Header.Get(notify.HeaderIdempotencyKey)
		mu.Lock()
		seen[key]++
		if killed == "" {
			killed = key
			_ = cmd.Process.Kill() // between the send and the mark
			_ = cmd.Wait()
		}
		mu.Unlock()
		arrived <- key
		w.WriteHeader(http.StatusOK)
	}))
	defer rcv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	base := "http://" + addr
	logf, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	start := func() {
		c := exec.Command(bin, "serve", "--dev=false", "--demo", "--dir", filepath.Join(dir, "pb_data"), "--http", addr)
		c.Env = append(os.Environ(), notify.EnvSMSURL+"="+rcv.URL, notify.EnvSMSSecret+"="+secret,
			notify.EnvLease+"=2s", notify.EnvInterval+"=200ms")
		c.Stdout, c.Stderr = logf, logf
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		cmd = c
		mu.Unlock()
		for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if res, err := http.Get(base + "/api/health"); err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					return
				}
			}
		}
		t.Fatalf("server did not start; see %s", logf.Name())
	}
	stop := func() {
		mu.Lock()
		defer mu.Unlock()
		if cmd != nil && cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	defer stop()
	call := func(method, path, token string, body any) map[string]any {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, out)
		}
		return out
	}
	signIn := func(coll, email string) string {
		return call(http.MethodPost, "/api/collections/"+coll+"/auth-with-password", "", map[string]any{"identity": email, "password": "yuetan2026"})["token"].(string)
	}

	start()
	sup := signIn("users", "sup@yuetan.example")
	apps := call(http.MethodGet, "/api/collections/applications/records?filter="+urlq(`subject="`+subjNotified+`"`), sup, nil)["items"].([]any)
	appID := apps[0].(map[string]any)["id"].(string)
	call(http.MethodPost, "/api/collections/supervisions/records", sup, map[string]any{"application": appID, "kind": "reminder", "note": "请抓紧商定约谈。"})

	first := wait(t, arrived)
	start() // the same data dir: the claimed row is still sending
	for ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second); ; {
		if key := waitCtx(ctx, arrived); key == first {
			cancel()
			break
		} else if key == "" {
			cancel()
			t.Fatalf("the message sent before the kill was never sent again; see %s", logf.Name())
		}
	}
	admin := signIn("_superusers", "admin@yuetan.example")
	var row map[string]any
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		row = call(http.MethodGet, "/api/collections/outbox/records/"+first, admin, nil)
		if row["status"] == notify.StatusSent {
			break
		}
	}
	if row["status"] != notify.StatusSent || row["attempts"] != float64(2) || row["channel"] != notify.ChannelSMS {
		t.Errorf("the row sent before the kill: %v", row)
	}
	mu.Lock()
	defer mu.Unlock()
	for key, n := range seen {
		if n > 1 && key != first {
			t.Errorf("%s was sent %d times without a kill", key, n)
		}
	}
	if seen[first] != 2 {
		t.Errorf("the killed send arrived %d times, want 2 (the same key)", seen[first])
	}
}

func wait(t *testing.T, ch chan string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	k := waitCtx(ctx, ch)
	if k == "" {
		t.Fatal("no message reached the webhook")
	}
	return k
}

func waitCtx(ctx context.Context, ch chan string) string {
	select {
	case k := <-ch:
		return k
	case <-ctx.Done():
		return ""
	}
}

func urlq(s string) string { return url.QueryEscape(s) }
