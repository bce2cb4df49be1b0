package tabletsync_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"yuetan/internal/testenv"
	"yuetan/tabletsync"
	"yuetan/tabletsync/wire"
)

// sse is a realtime connection reading PocketBase's server-sent events.
type sse struct {
	events chan [2]string // name, data
	cancel func()
}

func connect(t *testing.T, base string) (*sse, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/realtime", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	s := &sse{events: make(chan [2]string, 16), cancel: cancel}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	go func() {
		sc := bufio.NewScanner(res.Body)
		var name, data string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				data = strings.TrimSpace(strings.TrimPrefix(line, "data:"))
			case line == "":
				if name != "" {
					s.events <- [2]string{name, data}
				}
				name, data = "", ""
			}
		}
		close(s.events)
	}()
	first := s.next(t, 5*time.Second)
	if first[0] != "PB_CONNECT" {
		t.Fatalf("first event %v", first)
	}
	var c struct{ ClientID string }
	json.Unmarshal([]byte(first[1]), &c)
	return s, c.ClientID
}

func (s *sse) next(t *testing.T, wait time.Duration) [2]string {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatal("realtime connection closed")
		}
		return ev
	case <-time.After(wait):
		return [2]string{}
	}
}

func subscribe(t *testing.T, env *testenv.Env, base, clientID, email string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"clientId": clientID, "subscriptions": []string{wire.Topic}})
	req, _ := http.NewRequest(http.MethodPost, base+"/api/realtime", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if email != "" {
		req.Header.Set("Authorization", env.Token(email))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusNoContent {
		t.Fatalf("subscribe: %v %v", err, res)
	}
	res.Body.Close()
}

// TestNudge checks that a signed-in tablet subscribed to the sync topic is
// told to pull after a commit, and a guest is not.
func TestNudge(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	tablet, id := connect(t, srv.URL)
	subscribe(t, env, srv.URL, id, gridEmail)
	guest, gid := connect(t, srv.URL)
	subscribe(t, env, srv.URL, gid, "")

	push(t, env, staffEmail, "tab-nudge", createIssue(env.Org("DL-HC").Id, "触发提醒"))
	ev := tablet.next(t, 3*time.Second)
	if ev[0] != wire.Topic {
		t.Fatalf("no nudge after a push: %v", ev)
	}
	if ev = guest.next(t, 500*time.Millisecond); ev[0] == wire.Topic {
		t.Fatal("a guest was nudged")
	}
	// a REST write nudges as well, and a burst is coalesced: 8 writes in one
	// /api/batch commit together, and their nudges fall in at most the
	// windows the commit's hooks spanned (a slow machine spreads a loop of
	// single writes over as many windows as writes, so that would prove
	// nothing)
	const writes = 8
	var requests []any
	for range writes {
		requests = append(requests, map[string]any{"method": "POST", "url": "/api/collections/issues/records",
			"body": map[string]any{"community": env.Org("DL-HC").Id, "kind": "problem", "title": "连发", "source": "meeting"}})
	}
	began := time.Now()
	if res := env.Do("POST", "/api/batch", gridEmail, map[string]any{"requests": requests}); res.Status != http.StatusOK {
		t.Fatalf("the burst: %d %s", res.Status, res)
	}
	windows := int(time.Since(began)/tabletsync.NudgeDelay) + 2
	if ev = tablet.next(t, 3*time.Second); ev[0] != wire.Topic {
		t.Fatalf("no nudge after REST writes: %v", ev)
	}
	nudges := 1
	for {
		if ev = tablet.next(t, 3*tabletsync.NudgeDelay); ev[0] != wire.Topic {
			break
		}
		nudges++
	}
	if nudges > windows || nudges >= writes {
		t.Errorf("%d writes in one batch sent %d nudges; coalesced they may send at most %d", writes, nudges, min(windows, writes-1))
	}
}
