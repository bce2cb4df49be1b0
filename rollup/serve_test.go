package rollup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"yuetan/demo"
	"yuetan/internal/testtool"
	"yuetan/rollup"
)

// TestServeReplicatesInBackground runs `yuetan serve` (the binary) with the
// roll-up settings: it replicates the demo district in the background,
// GET /api/replication shows it caught up, an issue created over REST
// reaches PostgreSQL, and SIGTERM stops server and replicator cleanly.
func TestServeReplicatesInBackground(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the yuetan binary")
	}
	bin := testtool.Binary(t)
	pg := newDB(t)
	dir := t.TempDir()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--dev=false", "--demo", "--dir", filepath.Join(dir, "pb_data"), "--http", addr)
	cmd.Env = append(os.Environ(), rollup.EnvPostgres+"="+pg, rollup.EnvDistrict+"=330102", rollup.EnvInterval+"=1s")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	waitFor(t, time.Minute, "the server", func() bool {
		res, err := http.Get(base + "/api/health")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})
	login := func(coll, email string) string {
		body, _ := json.Marshal(map[string]string{"identity": email, "password": demo.Password})
		res, err := http.Post(base+"/api/collections/"+coll+"/auth-with-password", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var v struct {
			Token  string         `json:"token"`
			Record map[string]any `json:"record"`
		}
		json.NewDecoder(res.Body).Decode(&v)
		if v.Token == "" {
			t.Fatalf("login %s: %d", email, res.StatusCode)
		}
		return v.Token
	}
	admin := login("_superusers", demo.SuperuserEmail)
	status := func() map[string]any {
		req, _ := http.NewRequest("GET", base+"/api/replication", nil)
		req.Header.Set("Authorization", admin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		json.NewDecoder(res.Body).Decode(&m)
		return m
	}
	waitFor(t, 2*time.Minute, "the background catch-up", func() bool {
		s := status()
		return s["state"] == "following" && s["pending"] == float64(0)
	})
	// a new issue over REST reaches PostgreSQL
	grid := login("users", "grid@yuetan.example")
	me := struct{ Org string }{}
	{
		req, _ := http.NewRequest("POST", base+"/api/collections/users/auth-refresh", nil)
		req.Header.Set("Authorization", grid)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Record struct {
				Org string `json:"org"`
			} `json:"record"`
		}
		json.NewDecoder(res.Body).Decode(&v)
		res.Body.Close()
		me.Org = v.Record.Org
	}
	body, _ := json.Marshal(map[string]any{"community": me.Org, "kind": "problem", "title": "后台复制测试问题", "source": "door_to_door"})
	req, _ := http.NewRequest("POST", base+"/api/collections/issues/records", bytes.NewReader(body))
	req.Header.Set("Authorization", grid)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("create issue: %v %v", err, res.Status)
	}
	res.Body.Close()
	c := pgConn(t, pg)
	waitFor(t, time.Minute, "the new issue in PostgreSQL", func() bool {
		var n int
		_ = c.QueryRow(context.Background(), "SELECT count(*) FROM yuetan.issues WHERE district = '330102' AND title = '后台复制测试问题'").Scan(&n)
		return n == 1
	})
	if s := status(); s["error"] != nil || s["applied_seq"].(float64) == 0 {
		t.Errorf("status after the new issue: %v", s)
	}
	// SIGTERM: the server and the replicator stop
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(time.Minute):
		t.Fatalf("serve did not stop on SIGTERM:\n%s", out.String())
	}
}
