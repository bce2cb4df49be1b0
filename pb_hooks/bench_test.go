package hooks_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/forms"
	"yuetan/internal/testenv"
	"yuetan/savectx"
)

// BenchmarkStoryHTTP runs the whole seed story (11 moves by 7 roles, with
// events, issue links, deadlines and the four archive copies) through the
// REST handler, two ways on two apps in alternating rounds of 5 stories:
//
//   - queued (production): the archive worker runs in the same process; a
//     round's clock stops when the queue is drained, every copy stored.
//     stories/s is this figure; drain_ms/round is the wait from the
//     round's last response to its last copy stored.
//   - inline: the queue is worked off inside each move's request, before
//     its response (a hook drains it after the save): the synchronous path
//     archive copies took before the queue.
//   - none: no archive copies at all (the forms hook unbound): the floor.
//
// queued/inline and queued/none are the ratios in the same run;
// ratio_to_11_reads puts the queued story beside 11 plain record reads
// over the same handler; archiving_move_ms (and inline_, none_) are the
// median response times of the four moves that archive a form (submit,
// accept, the talk record, the feedback approval).
func BenchmarkStoryHTTP(b *testing.B) {
	queued, inline, none := testenv.New(b), testenv.New(b), testenv.New(b)
	stop, err := forms.StartArchiveWorker(queued.App)
	if err != nil {
		b.Fatal(err)
	}
	defer stop()
	for _, coll := range []string{"applications", "talks", "feedback"} {
		none.App.OnRecordUpdateExecute().Unbind(forms.ArchiveHookID + coll)
		inline.App.OnRecordAfterUpdateSuccess(coll).BindFunc(func(e *core.RecordEvent) error {
			if err := e.Next(); err != nil {
				return err
			}
			_, err := forms.NewArchiveWorker(e.App).Drain(context.Background())
			return err
		})
	}
	due := time.Now().AddDate(0, 1, 0).UTC().Format("2006-01-02 15:04:05.000Z")
	archivingMoves := map[*testenv.Env][]time.Duration{}
	story := func(env *testenv.Env) {
		hc, cg := env.Org("DL-HC").Id, env.Org("JD-CG").Id
		sec, h := env.User(secretary).Id, env.User(handler).Id
		do := func(who, method, url string, body map[string]any) map[string]any {
			res := env.Do(method, url, who, body)
			if res.Status != 200 {
				b.Fatalf("%s %s: %s", method, url, res)
			}
			return res.JSON(b)
		}
		// archiving times a move that archives a form
		archiving := func(who, method, url string, body map[string]any) map[string]any {
			start := time.Now()
			out := do(who, method, url, body)
			archivingMoves[env] = append(archivingMoves[env], time.Since(start))
			return out
		}
		app := do(staff, "POST", apps, map[string]any{"community": hc, "applicant_kind": "community", "subject": "基准测试事项",
			"category": "community_building", "target_leader": sec, "talk_form": "visit"})
		id := app["id"].(string)
		archiving(staff, "PATCH", apps+"/"+id, map[string]any{"status": "submitted"})
		do(street, "PATCH", apps+"/"+id, map[string]any{"status": "forwarded"})
		archiving(wg, "PATCH", apps+"/"+id, map[string]any{"status": "accepted"})
		do(wg, "PATCH", apps+"/"+id, map[string]any{"status": "notified"})
		talk := do(secretary, "POST", "/api/collections/talks/records", map[string]any{"application": id, "scheduled_at": due, "place": "社区", "form": "visit"})
		archiving(secretary, "PATCH", "/api/collections/talks/records/"+talk["id"].(string), map[string]any{"record": "r", "response": "x",
			"outcome": "assigned", "handling_unit": cg, "responsible": h, "handling_due": due})
		fb := do(handler, "POST", "/api/collections/feedback/records", map[string]any{"application": id, "result": "已办结"})
		archiving(secretary, "PATCH", "/api/collections/feedback/records/"+fb["id"].(string), map[string]any{"leader_decision": "approved"})
		do(staff, "PATCH", "/api/collections/feedback/records/"+fb["id"].(string), map[string]any{"satisfaction": "satisfied"})
		do(sup, "PATCH", apps+"/"+id, map[string]any{"status": "closed"})
	}
	// drained waits until no job is pending or claimed
	drained := func(env *testenv.Env) {
		for {
			n, err := env.App.CountRecords("archive_jobs", dbx.NewExp("state IN ('pending', 'claimed')"))
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				return
			}
			time.Sleep(5 * time.Millisecond) // a query a millisecond would compete with the worker
		}
	}
	org := "/api/collections/orgs/records/" + queued.Org("DL-HC").Id
	reads := func() {
		for i := 0; i < 11; i++ {
			if res := queued.Do("GET", org, staff, nil); res.Status != 200 {
				b.Fatalf("read: %s", res)
			}
		}
	}
	seeded, _ := none.App.CountRecords("archive_jobs", nil) // the demo seed's
	const round = 5
	var queuedTime, inlineTime, noneTime, drainTime, readTime time.Duration
	rounds := 0
	b.ResetTimer()
	for done := 0; done < b.N; done += round {
		k := min(round, b.N-done)
		start := time.Now()
		for range k {
			story(inline)
		}
		inlineTime += time.Since(start)
		start = time.Now()
		for range k {
			story(none)
		}
		noneTime += time.Since(start)
		start = time.Now()
		for range k {
			story(queued)
		}
		answered := time.Now()
		drained(queued)
		queuedTime += time.Since(start)
		drainTime += time.Since(answered)
		rounds++
		start = time.Now()
		for range k {
			reads()
		}
		readTime += time.Since(start)
	}
	b.StopTimer()
	if n, _ := queued.App.CountRecords("archive_jobs", dbx.NewExp("state = 'done'")); n != seeded+int64(4*b.N) {
		b.Fatalf("%d archive copies stored for %d stories", n-seeded, b.N)
	}
	if n, _ := none.App.CountRecords("archive_jobs", nil); n != seeded {
		b.Fatalf("%d archive jobs without the hook (the seed's: %d)", n-seeded, seeded)
	}
	b.ReportMetric(float64(b.N)/queuedTime.Seconds(), "stories/s")
	b.ReportMetric(float64(b.N)/inlineTime.Seconds(), "inline_stories/s")
	b.ReportMetric(float64(b.N)/noneTime.Seconds(), "none_stories/s")
	b.ReportMetric(inlineTime.Seconds()/queuedTime.Seconds(), "queued/inline")
	b.ReportMetric(noneTime.Seconds()/queuedTime.Seconds(), "queued/none")
	b.ReportMetric(float64(drainTime.Milliseconds())/float64(rounds), "drain_ms/round")
	b.ReportMetric(float64(queuedTime)/float64(readTime), "ratio_to_11_reads")
	b.ReportMetric(float64(medianOf(archivingMoves[queued]))/1e6, "archiving_move_ms")
	b.ReportMetric(float64(medianOf(archivingMoves[inline]))/1e6, "inline_archiving_move_ms")
	b.ReportMetric(float64(medianOf(archivingMoves[none]))/1e6, "none_archiving_move_ms")
}

func medianOf(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
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
