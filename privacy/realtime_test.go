package privacy_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"yuetan/collections"
	"yuetan/workflow"
)

// wait bounds how long a test waits for something that must happen (a
// message that must arrive); nothing passes by waiting.
const wait = 60 * time.Second

// sseEvent is one server-sent event.
type sseEvent struct {
	Name string
	Data map[string]any
}

// sseClient is a real realtime connection on a loopback server.
type sseClient struct {
	t      *testing.T
	w      *world
	srv    *httptest.Server
	id     string
	events chan sseEvent
}

// connect opens GET /api/realtime and reads the client id PocketBase sends.
func (w *world) connect(t *testing.T, srv *httptest.Server) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/realtime", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	c := &sseClient{t: t, w: w, srv: srv, events: make(chan sseEvent, 100)}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event:"):
				ev.Name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data:")), &ev.Data)
			case line == "" && ev.Name != "":
				c.events <- ev
				ev = sseEvent{}
			}
		}
	}()
	ev := c.next()
	if ev.Name != "PB_CONNECT" {
		t.Fatalf("first event %q", ev.Name)
	}
	c.id, _ = ev.Data["clientId"].(string)
	return c
}

func (c *sseClient) next() sseEvent {
	c.t.Helper()
	select {
	case ev := <-c.events:
		return ev
	case <-time.After(wait):
		c.t.Fatal("no realtime event")
		return sseEvent{}
	}
}

// subscribe posts the subscriptions as who and returns the status and the
// error code of a refusal.
func (c *sseClient) subscribe(who string, subs ...string) (int, string) {
	c.t.Helper()
	body, _ := json.Marshal(map[string]any{"clientId": c.id, "subscriptions": subs})
	req, _ := http.NewRequest(http.MethodPost, c.srv.URL+"/api/realtime", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if tok := c.w.env.Token(who); tok != "" {
		req.Header.Set("Authorization", tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	var e struct {
		Data map[string]struct {
			Code string `json:"code"`
		} `json:"data"`
	}
	_ = json.NewDecoder(res.Body).Decode(&e)
	code := ""
	for _, d := range e.Data {
		code = d.Code
	}
	return res.StatusCode, code
}

// subscribed reports whether the server holds sub for the client.
func (c *sseClient) subscribed(sub string) bool {
	cl, err := c.w.env.App.SubscriptionsBroker().ClientById(c.id)
	if err != nil {
		c.t.Fatal(err)
	}
	return cl.HasSubscription(sub)
}

// awaitRecord reads events until one of subscription sub (events are
// named after the whole subscription) about record id arrives.
func (c *sseClient) awaitRecord(sub, id string) map[string]any {
	c.t.Helper()
	for {
		ev := c.next()
		rec, _ := ev.Data["record"].(map[string]any)
		if ev.Name == sub && rec["id"] == id {
			return rec
		}
	}
}

// filtered is a subscription to topic whose options filter by filter (and
// expand by expand, when set).
func filtered(topic, filter, expand string) string {
	q := map[string]string{"filter": filter}
	if expand != "" {
		q["expand"] = expand
	}
	if filter == "" {
		delete(q, "filter")
	}
	raw, _ := json.Marshal(map[string]any{"query": q})
	return topic + "?options=" + string(raw)
}

// touch saves r with a changed description (or note), so realtime sends it.
func (w *world) touch(t *testing.T, r *core.Record) {
	t.Helper()
	fresh, err := w.env.App.FindRecordById(r.Collection().Name, r.Id)
	if err != nil {
		t.Fatal(err)
	}
	fresh.Set(collections.IssueDescription, "更新于 "+time.Now().Format(time.RFC3339Nano))
	if err := w.env.SaveAsSystem(fresh); err != nil {
		t.Fatal(err)
	}
}

// TestRealtimeOraclesRefused subscribes with the review's filters over a
// real SSE connection: the subscription is refused and not held, so no
// change arrives that would tell the right guess from a wrong one.
func TestRealtimeOraclesRefused(t *testing.T) {
	w := newWorld(t)
	srv := w.env.Serve()
	cases := []struct {
		who, topic, filter string
		probe              *core.Record // a record the filter matches, in the caller's list scope
	}{
		{secretary, "issues/*", `resident_name = "` + nameA + `"`, w.issueA},
		{handler, "issues/" + w.issueA.Id, `resident_phone ~ "550001"`, w.issueA},
		{secretary, "applications/*", `issues.resident_name ?= "` + nameA + `"`, w.appA},
		{handler, "talks/*", `application.issues.resident_phone ?= "` + phoneA + `"`, w.talk},
		{street, "applications/*", `issues.resident_phone ?>= "` + phoneA + `"`, w.appA},
		{grid, "issues/*", `collected_by.phone ~ "` + staffPhone + `"`, w.issueA},
		{secretary, "orgs/*", `issues_via_community.resident_name ?= "` + nameA + `"`, nil},
		{handler, "users/*", `phone = "` + handler2Phone + `"`, nil},
		{secretary, "issues/*", `application.issues.resident_name ?= "` + nameA + `"`, w.issueA},
		{wg, "issues/*", `collected_by.issues_via_collected_by.title ?~ "zzz"`, nil},
		{secretary, "pbc_issues/*", `resident_name = "` + nameA + `"`, w.issueA}, // by collection id
		{secretary, "issues", `resident_name = "` + nameA + `"`, w.issueA},       // the old topic form
	}
	for _, c := range cases {
		sse := w.connect(t, srv)
		sub := filtered(c.topic, c.filter, "")
		status, code := sse.subscribe(c.who, sub)
		if (status != http.StatusForbidden && status != http.StatusBadRequest) || code == "" || sse.subscribed(sub) {
			t.Errorf("%s %s: subscription answered %d %q, held=%v", c.who, sub, status, code, sse.subscribed(sub))
		}
		if status == http.StatusNoContent && c.probe != nil {
			// what the attacker would learn: a matching record's change arrives
			w.touch(t, c.probe)
			if rec := sse.awaitRecord(sub, c.probe.Id); rec != nil {
				t.Errorf("%s: ORACLE — the change of %s arrived through %s", c.who, c.probe.Id, sub)
			}
		}
	}
}

// TestRealtimeKeepsPrivacy checks realtime serves those allowed and hides
// residents' details from those who are not, on the record and on what the
// subscription expands.
func TestRealtimeKeepsPrivacy(t *testing.T) {
	w := newWorld(t)
	srv := w.env.Serve()

	// staff follow their own residents by name
	sse := w.connect(t, srv)
	sub := filtered("issues/*", `resident_name = "`+nameA+`"`, "")
	if status, _ := sse.subscribe(staff, sub); status != http.StatusNoContent {
		t.Fatalf("staff's own residents: %d", status)
	}
	w.touch(t, w.issueA)
	if rec := sse.awaitRecord(sub, w.issueA.Id); rec[collections.IssueResidentName] != nameA {
		t.Errorf("staff's realtime issue: %v", rec)
	}

	// the leader follows the application, its issues expanded, without the residents' details
	lead := w.connect(t, srv)
	sub = filtered("applications/*", `subject = "隐私测试事项"`, "issues")
	if status, _ := lead.subscribe(secretary, sub); status != http.StatusNoContent {
		t.Fatalf("leader's applications: %d", status)
	}
	w.touch(t, w.appA)
	rec := lead.awaitRecord(sub, w.appA.Id)
	expand, _ := rec["expand"].(map[string]any)
	issues, _ := expand["issues"].([]any)
	if len(issues) != 1 {
		t.Fatalf("leader's application: no expanded issue: %v", rec)
	}
	is := issues[0].(map[string]any)
	if _, ok := is[collections.IssueResidentName]; ok || is[collections.IssueTitle] != "隐私测试问题" {
		t.Errorf("leader's expanded issue shows the resident: %v", is)
	}
}

// TestRealtimeFollowsRoleChange checks a subscription whose filter was the
// caller's to use stops delivering when the caller's role changes so that
// the filter would read what they may no longer see: the auth of a live
// connection follows the user's record.
func TestRealtimeFollowsRoleChange(t *testing.T) {
	w := newWorld(t)
	srv := w.env.Serve()
	sse := w.connect(t, srv)
	sub := filtered("applications/*", `issues.resident_name ?= "`+nameA+`"`, "")
	if status, _ := sse.subscribe(wg, sub); status != http.StatusNoContent {
		t.Fatalf("working group's subscription: %d", status)
	}
	// note, for every message of this subscription, whether it was written
	// (one handler runs before the guard and one after it, both in the
	// connection's goroutine, so this is known without waiting)
	type outcome struct{ passed bool }
	outcomes := make(chan outcome, 10)
	var mu gosync.Mutex
	passed := map[*subscriptions.Message]bool{}
	w.env.App.OnRealtimeMessageSend().Bind(&hook.Handler[*core.RealtimeMessageEvent]{Priority: -1000, Func: func(e *core.RealtimeMessageEvent) error {
		err := e.Next()
		if e.Message.Name == sub {
			mu.Lock()
			outcomes <- outcome{passed[e.Message]}
			mu.Unlock()
		}
		return err
	}})
	w.env.App.OnRealtimeMessageSend().Bind(&hook.Handler[*core.RealtimeMessageEvent]{Priority: 1000, Func: func(e *core.RealtimeMessageEvent) error {
		mu.Lock()
		passed[e.Message] = true
		mu.Unlock()
		return e.Next()
	}})
	next := func() outcome {
		select {
		case o := <-outcomes:
			return o
		case <-time.After(wait):
			t.Fatal("no message for the subscription")
			return outcome{}
		}
	}

	w.touch(t, w.appA)
	if o := next(); !o.passed {
		t.Fatal("the working group's own message was dropped")
	}
	sse.awaitRecord(sub, w.appA.Id)

	// the same person becomes 东柳街道's reviewer: the street lists the
	// application but may not read residents through it
	u := w.env.User(wg)
	u.Set(collections.UserRole, workflow.RoleStreetReviewer)
	u.Set(collections.UserOrg, w.env.Org("DL").Id)
	if err := w.env.SaveAsSystem(u); err != nil {
		t.Fatal(err)
	}
	w.touch(t, w.appA)
	if o := next(); o.passed {
		t.Error("ORACLE — after the role change the filtered change still arrived")
	}
}
