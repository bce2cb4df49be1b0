package hooks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
)

// write is one HTTP write as a demo user.
type write struct {
	method, url, email string
	body               map[string]any
}

// answer is a write's status and body.
type answer struct {
	status int
	body   string
}

// together sends the writes at the same instant (each from its own
// goroutine, released by one signal) to a real loopback server.
func together(t *testing.T, env *testenv.Env, base string, ws ...write) []answer {
	t.Helper()
	out := make([]answer, len(ws))
	reqs := make([]*http.Request, len(ws))
	for i, w := range ws {
		raw, _ := json.Marshal(w.body)
		req, err := http.NewRequest(w.method, base+w.url, bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", env.Token(w.email))
		reqs[i] = req
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			res, err := http.DefaultClient.Do(reqs[i])
			if err != nil {
				out[i] = answer{0, err.Error()}
				return
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			out[i] = answer{res.StatusCode, string(b)}
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// oneWins checks that exactly one of the answers is a 200 and every other
// a 400 with a Chinese message; it returns the winner's index.
func oneWins(t *testing.T, round int, as []answer) int {
	t.Helper()
	winner := -1
	for i, a := range as {
		switch {
		case a.status == 200 && winner == -1:
			winner = i
		case a.status == 200:
			t.Errorf("round %d: both writes won:\n%v", round, as)
		case a.status != 400 || !han.MatchString(a.body):
			t.Errorf("round %d: the loser got %d %s, want a 400 with a Chinese message", round, a.status, a.body)
		}
	}
	if winner == -1 {
		t.Errorf("round %d: nobody won: %v", round, as)
	}
	return winner
}

func eventsOf(t *testing.T, env *testenv.Env, appID string) []*core.Record {
	t.Helper()
	evs, err := env.App.FindRecordsByFilter(collections.Events, "application = {:a}", "created", 0, 0, map[string]any{"a": appID})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

const rounds = 12

var han = regexp.MustCompile(`\p{Han}`)

// TestConcurrentMovesOneWins fires two moves that the same state allows at
// the same instant, many times: exactly one is applied, the other gets a
// clear 400 and leaves nothing behind (one audit event, one talk, one
// feedback, the winner's status).
func TestConcurrentMovesOneWins(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	later := time.Now().AddDate(0, 0, 20).UTC().Format("2006-01-02 15:04:05.000Z")
	cases := []struct {
		name   string
		status string
		writes func(p prepared) []write
		// to is the status each write moves to
		to []string
		// created is the collection each write creates a row in ("" = none)
		created string
	}{
		{"forward vs street_resolve", "submitted", func(p prepared) []write {
			u := apps + "/" + p.app.Id
			return []write{
				{"PATCH", u, street, map[string]any{"status": "forwarded", "decision_note": "报专门工作小组"}},
				{"PATCH", u, street, map[string]any{"status": "street_resolved", "decision_note": "街道已解决"}},
			}
		}, []string{"forwarded", "street_resolved"}, ""},
		{"accept vs decline", "forwarded", func(p prepared) []write {
			u := apps + "/" + p.app.Id
			return []write{
				{"PATCH", u, wg, map[string]any{"status": "accepted", "decision_note": "同意受理"}},
				{"PATCH", u, wg, map[string]any{"status": "declined", "decision_note": "按一般来信处理"}},
			}
		}, []string{"accepted", "declined"}, ""},
		{"two talks scheduled", "notified", func(p prepared) []write {
			talk := map[string]any{"application": p.app.Id, "scheduled_at": later, "place": "社区会议室", "form": "visit"}
			return []write{
				{"POST", "/api/collections/talks/records", secretary, talk},
				{"POST", "/api/collections/talks/records", secretary, talk},
			}
		}, []string{"scheduled", "scheduled"}, collections.Talks},
		{"two feedbacks filed", "in_handling", func(p prepared) []write {
			fb := map[string]any{"application": p.app.Id, "result": "已办结", "measures": "专题研究"}
			return []write{
				{"POST", "/api/collections/feedback/records", handler, fb},
				{"POST", "/api/collections/feedback/records", handler, fb},
			}
		}, []string{"feedback_submitted", "feedback_submitted"}, collections.Feedback},
		{"approve vs return feedback", "feedback_submitted", func(p prepared) []write {
			u := "/api/collections/feedback/records/" + p.feedback.Id
			return []write{
				{"PATCH", u, secretary, map[string]any{"leader_decision": "approved", "leader_comment": "同意"}},
				{"PATCH", u, secretary, map[string]any{"leader_decision": "returned", "leader_comment": "请补充材料"}},
			}
		}, []string{"feedback_approved", "in_handling"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for round := range rounds {
				p := prepare(t, env, c.status)
				before := len(eventsOf(t, env, p.app.Id))
				var rows int64
				if c.created != "" {
					rows, _ = env.App.CountRecords(c.created)
				}
				w := oneWins(t, round, together(t, env, srv.URL, c.writes(p)...))
				if w < 0 {
					continue
				}
				app, _ := env.App.FindRecordById(collections.Applications, p.app.Id)
				if got := app.GetString(collections.AppStatus); got != c.to[w] {
					t.Errorf("round %d: status %s, want the winner's %s", round, got, c.to[w])
				}
				if n := len(eventsOf(t, env, p.app.Id)); n != before+1 {
					t.Errorf("round %d: %d audit events added, want 1", round, n-before)
				}
				if c.created != "" {
					if n, _ := env.App.CountRecords(c.created); n != rows+1 {
						t.Errorf("round %d: %d %s rows added, want 1", round, n-rows, c.created)
					}
				}
			}
		})
	}
}

// TestConcurrentLinksKeepOneMatterOneApplication: two drafts link the same
// issue at the same instant, many times: the issue ends up in exactly one
// of them (一事一案) and the other write is refused.
func TestConcurrentLinksKeepOneMatterOneApplication(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	issues, err := env.App.FindCachedCollectionByNameOrId(collections.Issues)
	if err != nil {
		t.Fatal(err)
	}
	for round := range rounds {
		a, b := prepare(t, env, "draft"), prepare(t, env, "draft")
		is := core.NewRecord(issues)
		is.Set(collections.IssueCommunity, env.Org("DL-HC").Id)
		is.Set(collections.IssueKind, "problem")
		is.Set(collections.IssueTitle, fmt.Sprintf("楼道堆放杂物（并发 %d）", round))
		is.Set(collections.IssueSource, "door_to_door")
		if err := env.SaveAsSystem(is); err != nil {
			t.Fatal(err)
		}
		link := map[string]any{"issues": []string{is.Id}}
		w := oneWins(t, round, together(t, env, srv.URL,
			write{"PATCH", apps + "/" + a.app.Id, staff, link},
			write{"PATCH", apps + "/" + b.app.Id, staff, link}))
		if w < 0 {
			continue
		}
		winner := []string{a.app.Id, b.app.Id}[w]
		stored, _ := env.App.FindRecordById(collections.Issues, is.Id)
		if got := stored.GetString(collections.IssueApplication); got != winner {
			t.Errorf("round %d: issue linked to %q, want the winner %q", round, got, winner)
		}
		n := 0
		for _, id := range []string{a.app.Id, b.app.Id} {
			app, _ := env.App.FindRecordById(collections.Applications, id)
			if strings.Contains(strings.Join(app.GetStringSlice(collections.AppIssues), ","), is.Id) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("round %d: the issue is in %d applications", round, n)
		}
	}
}
