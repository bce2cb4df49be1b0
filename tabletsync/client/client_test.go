package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/tabletsync/client"
	"yuetan/tabletsync/wire"
)

// flaky drops the response of every nth push after the server handled it,
// like a tablet losing signal at the worst moment.
type flaky struct {
	mu    sync.Mutex
	every int
	n     int
	lost  int
}

func (f *flaky) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || !strings.HasSuffix(req.URL.Path, "/api/sync/push") {
		return res, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	if f.n%f.every == 0 {
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		f.lost++
		return nil, errors.New("connection reset (simulated)")
	}
	return res, nil
}

func open(t *testing.T, dir, name, server string) *client.Client {
	t.Helper()
	c, err := client.Open(filepath.Join(dir, name+".db"), server)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestTwoTablets walks two tablets through a day offline: collecting,
// editing the same record, losing responses, restarting, syncing.
func TestTwoTablets(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	dir := t.TempDir()
	ctx := context.Background()

	a := open(t, dir, "a", srv.URL)
	b := open(t, dir, "b", srv.URL)
	if _, err := a.Login(ctx, "grid@yuetan.example", demo.Password); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Login(ctx, "staff@yuetan.example", demo.Password); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*client.Client{a, b} {
		if _, err := c.Pull(ctx); err != nil {
			t.Fatal(err)
		}
	}
	community := a.User()["org"].(string)

	// tablet A collects offline; every third push response is lost
	f := &flaky{every: 3}
	a.HTTP = &http.Client{Transport: f, Timeout: time.Minute}
	var ids []string
	for i := 0; i < 450; i++ {
		id, err := a.Create("issues", map[string]any{"community": community, "kind": "problem",
			"title": "入户收集问题", "source": "door_to_door", "resident_name": "居民"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	// an edit of a record created offline, before it ever reached the server
	if err := a.Update("issues", ids[0], map[string]any{"description": "离线补充"}); err != nil {
		t.Fatal(err)
	}
	// the tablet restarts before syncing: the outbox survives
	a.Close()
	a = open(t, dir, "a", srv.URL)
	a.HTTP = &http.Client{Transport: f, Timeout: time.Minute}
	if a.Pending() != 451 {
		t.Fatalf("outbox after restart: %d", a.Pending())
	}
	st, err := a.Push(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.lost == 0 || st.Duplicate == 0 || st.Applied+st.Duplicate != 451 || st.Rejected+st.Conflict != 0 {
		t.Fatalf("push: %+v, lost %d", st, f.lost)
	}
	if n := count(t, env, "SELECT COUNT(*) FROM issues WHERE title = '入户收集问题'"); n != 450 {
		t.Fatalf("server has %d issues, want 450", n)
	}

	// B pulls them, then both edit the first issue offline: different fields merge
	if _, err := b.Pull(ctx); err != nil {
		t.Fatal(err)
	}
	if rec, _, ok := b.Record("issues", ids[0]); !ok || rec["description"] != "离线补充" {
		t.Fatalf("B's copy: %v", rec)
	}
	a.Update("issues", ids[0], map[string]any{"title": "A 的标题"})
	b.Update("issues", ids[0], map[string]any{"address": "B 的地址"})
	b.Update("issues", ids[0], map[string]any{"title": "B 的标题"}) // same field: conflicts
	for _, c := range []*client.Client{a, b, a} {
		if _, _, err := c.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	ra, _, _ := a.Record("issues", ids[0])
	rb, _, _ := b.Record("issues", ids[0])
	if ra["title"] != "A 的标题" || ra["address"] != "B 的地址" || rb["title"] != "A 的标题" || rb["address"] != "B 的地址" {
		t.Fatalf("tablets disagree: A %v / B %v", ra, rb)
	}
	outcomes, _ := b.Outcomes()
	conflicts := 0
	for _, o := range outcomes {
		if o.Status == wire.StatusConflict {
			conflicts++
			if !strings.Contains(o.Error, "离线期间已被他人修改") {
				t.Fatalf("conflict message: %q", o.Error)
			}
		}
	}
	if conflicts != 1 {
		t.Fatalf("B saw %d conflicts, want 1", conflicts)
	}

	// a rejected create disappears from the tablet with its reason kept
	other := env.Org("BH-DH").Id
	bad, _ := a.Create("issues", map[string]any{"community": other, "kind": "problem", "title": "外社区", "source": "door_to_door"})
	if _, _, err := a.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := a.Record("issues", bad); ok {
		t.Fatal("rejected create kept on the tablet")
	}
	// both tablets hold what a fresh pull gets
	for name, c := range map[string]*client.Client{"a": a, "b": b} {
		fresh := open(t, t.TempDir(), "fresh-"+name, srv.URL)
		fresh.SetToken(tokenOf(t, env, c.User()["email"]))
		if _, err := fresh.Pull(ctx); err != nil {
			t.Fatal(err)
		}
		want, _ := fresh.Records("issues")
		got, _ := c.Records("issues")
		if strings.Join(want, ",") != strings.Join(got, ",") {
			t.Fatalf("tablet %s holds %d issues, a fresh pull %d", name, len(got), len(want))
		}
	}
}

func tokenOf(t *testing.T, env *testenv.Env, email any) string {
	return env.Token(email.(string))
}

func count(t *testing.T, env *testenv.Env, q string) int {
	t.Helper()
	var n int
	if err := env.App.DB().NewQuery(q).Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOffline checks that a push with no server keeps the outbox and a
// later push delivers it.
func TestOffline(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	c := open(t, t.TempDir(), "offline", "http://127.0.0.1:1")
	c.SetToken(env.Token("grid@yuetan.example"))
	c.Retry = 300 * time.Millisecond
	c.Create("meetings", map[string]any{"community": env.Org("DL-HC").Id, "kind": "wuju", "held_on": "2026-11-20 10:00:00.000Z"})
	if _, err := c.Push(context.Background()); err == nil {
		t.Fatal("push without a server succeeded")
	}
	if c.Pending() != 1 {
		t.Fatalf("outbox: %d", c.Pending())
	}
	c.SetServer(srv.URL)
	st, err := c.Push(context.Background())
	if err != nil || st.Applied != 1 || c.Pending() != 0 {
		t.Fatalf("push after reconnecting: %+v %v", st, err)
	}
}
