package hooks_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/internal/testenv"
	"yuetan/savectx"
)

// BenchmarkStoryHTTP runs the whole seed story (11 moves by 7 roles, with
// events, issue links and deadlines) through the REST handler and reports
// stories per second, beside a baseline of 11 plain record reads over the
// same handler (stories/s is the figure; ratio_to_reads puts it in scale).
func BenchmarkStoryHTTP(b *testing.B) {
	env := testenv.New(b)
	hc, cg := env.Org("DL-HC").Id, env.Org("JD-CG").Id
	sec, h := env.User(secretary).Id, env.User(handler).Id
	due := time.Now().AddDate(0, 1, 0).UTC().Format("2006-01-02 15:04:05.000Z")
	do := func(who, method, url string, body map[string]any) map[string]any {
		res := env.Do(method, url, who, body)
		if res.Status != 200 {
			b.Fatalf("%s %s: %s", method, url, res)
		}
		return res.JSON(b)
	}
	story := func() {
		app := do(staff, "POST", apps, map[string]any{"community": hc, "applicant_kind": "community", "subject": "基准测试事项",
			"category": "community_building", "target_leader": sec, "talk_form": "visit"})
		id := app["id"].(string)
		do(staff, "PATCH", apps+"/"+id, map[string]any{"status": "submitted"})
		do(street, "PATCH", apps+"/"+id, map[string]any{"status": "forwarded"})
		do(wg, "PATCH", apps+"/"+id, map[string]any{"status": "accepted"})
		do(wg, "PATCH", apps+"/"+id, map[string]any{"status": "notified"})
		talk := do(secretary, "POST", "/api/collections/talks/records", map[string]any{"application": id, "scheduled_at": due, "place": "社区", "form": "visit"})
		do(secretary, "PATCH", "/api/collections/talks/records/"+talk["id"].(string), map[string]any{"record": "r", "response": "x",
			"outcome": "assigned", "handling_unit": cg, "responsible": h, "handling_due": due})
		fb := do(handler, "POST", "/api/collections/feedback/records", map[string]any{"application": id, "result": "已办结"})
		do(secretary, "PATCH", "/api/collections/feedback/records/"+fb["id"].(string), map[string]any{"leader_decision": "approved"})
		do(staff, "PATCH", "/api/collections/feedback/records/"+fb["id"].(string), map[string]any{"satisfaction": "satisfied"})
		do(sup, "PATCH", apps+"/"+id, map[string]any{"status": "closed"})
	}
	org := "/api/collections/orgs/records/" + hc
	reads := func() {
		for i := 0; i < 11; i++ {
			do(staff, "GET", org, nil)
		}
	}
	var storyTime, readTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		story()
		storyTime += time.Since(start)
		start = time.Now()
		reads()
		readTime += time.Since(start)
	}
	b.ReportMetric(float64(b.N)/storyTime.Seconds(), "stories/s")
	b.ReportMetric(float64(storyTime)/float64(readTime), "ratio_to_11_reads")
}

// BenchmarkHookOverhead compares the same saves with the hooks on (as a
// user: rule checks, transaction, event) and off (UnsafeWithoutHooks):
// a plain draft edit, and a return/resubmit pair of transitions.
func BenchmarkHookOverhead(b *testing.B) {
	env := testenv.New(b)
	draft := prepareB(b, env, "draft")
	submitted := prepareB(b, env, "submitted")
	as := func(email string) context.Context { return savectx.AsUser(context.Background(), env.User(email)) }
	plainApp := env.App.UnsafeWithoutHooks()
	save := func(app core.App, ctx context.Context, id string, changes map[string]any) {
		r, err := env.App.FindRecordById("applications", id)
		if err != nil {
			b.Fatal(err)
		}
		for k, v := range changes {
			r.Set(k, v)
		}
		if err := app.SaveWithContext(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	var hooked, plain [2]time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		text := fmt.Sprintf("说明 %d", i)
		start := time.Now()
		save(env.App, as(staff), draft, map[string]any{"description": text})
		hooked[0] += time.Since(start)
		start = time.Now()
		save(plainApp, context.Background(), draft, map[string]any{"description": text + "!"})
		plain[0] += time.Since(start)

		start = time.Now()
		save(env.App, as(street), submitted, map[string]any{"status": "draft", "decision_note": text})
		save(env.App, as(staff), submitted, map[string]any{"status": "submitted"})
		hooked[1] += time.Since(start)
		start = time.Now()
		save(plainApp, context.Background(), submitted, map[string]any{"status": "draft", "decision_note": text + "!"})
		save(plainApp, context.Background(), submitted, map[string]any{"status": "submitted"})
		plain[1] += time.Since(start)
	}
	b.ReportMetric(float64(hooked[0])/float64(plain[0]), "edit_hooks/plain")
	b.ReportMetric(float64(hooked[1])/float64(plain[1]), "transition_hooks/plain")
}

func prepareB(b *testing.B, env *testenv.Env, status string) string {
	c, _ := env.App.FindCachedCollectionByNameOrId("applications")
	r := core.NewRecord(c)
	r.Load(map[string]any{"community": env.Org("DL-HC").Id, "applicant_kind": "community", "subject": "基准",
		"category": "other_hot", "target_leader": env.User(secretary).Id, "status": status})
	if status != "draft" {
		r.Set("street", env.Org("DL").Id)
		r.Set("serial_year", 2026)
		r.Set("serial_no", 9000)
		r.Set("serial", "约申〔2026〕第9000号")
	}
	if err := env.SaveAsSystem(r); err != nil {
		b.Fatal(err)
	}
	return r.Id
}
