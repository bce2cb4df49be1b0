package hooks_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/internal/imagebomb"
	"yuetan/internal/testenv"
	"yuetan/savectx"
	"yuetan/workdays"
	"yuetan/workflow"
)

// pbTime formats t the way PocketBase's REST API takes dates.
func pbTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.000Z") }

func fresh(t *testing.T, env *testenv.Env, r *core.Record) *core.Record {
	t.Helper()
	out, err := env.App.FindRecordById(r.Collection().Name, r.Id)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// createAt creates a record as email at a given Shanghai time.
func createAt(t *testing.T, env *testenv.Env, email, at, coll string, data map[string]any) *core.Record {
	t.Helper()
	c, _ := env.App.FindCachedCollectionByNameOrId(coll)
	r := core.NewRecord(c)
	for k, v := range data {
		r.Set(k, v)
	}
	ctx := savectx.At(savectx.AsUser(context.Background(), env.User(email)), shanghai(at))
	if err := env.App.SaveWithContext(ctx, r); err != nil {
		t.Fatalf("create %s as %s: %v", coll, email, err)
	}
	return fresh(t, env, r)
}

// refusedUnchanged checks res is a 400 whose message contains want, and
// that rec's stored values are what they were.
func refusedUnchanged(t *testing.T, env *testenv.Env, label string, res testenv.Response, want string, before *core.Record) {
	t.Helper()
	switch {
	case want == "" && (res.Status == http.StatusBadRequest || res.Status == http.StatusForbidden || res.Status == http.StatusNotFound):
		// refused by the collection's rule or the workflow: either way nothing may change
	case res.Status != http.StatusBadRequest || !strings.Contains(res.String(), want):
		t.Errorf("%s: %d %s, want a 400 saying %q", label, res.Status, res, want)
	}
	after := fresh(t, env, before)
	for _, f := range before.Collection().Fields {
		n := f.GetName()
		if n == collections.FieldUpdated {
			continue
		}
		if a, b := after.GetString(n), before.GetString(n); a != b {
			t.Errorf("%s: %s changed from %q to %q by a refused write", label, n, b, a)
		}
	}
}

// TestEveryMoveStartsItsClock walks a matter through every stage at fixed
// Shanghai times (Monday 2026-11-23 onwards) and checks each stage's due
// date comes from the deadline table: the seed's 3 and 5 working days,
// the defaults where it is silent, the talk's own day, the leader's date.
func TestEveryMoveStartsItsClock(t *testing.T) {
	env := testenv.New(t)
	p := prepare(t, env, "draft")
	app := moveAt(t, env, staff, "2026-11-23 10:00", p.app, map[string]any{"status": "submitted"})
	if got := dueDate(app, workflow.DeadlineStreet); got != "2026-11-30" {
		t.Errorf("street review due %s, want 5 working days: 2026-11-30", got)
	}
	app = moveAt(t, env, street, "2026-11-24 10:00", app, map[string]any{"status": "forwarded", "urgent": true, "decision_note": "上报"})
	if got := dueDate(app, workflow.DeadlineReview); got != "2026-11-27" {
		t.Errorf("urgent review due %s, want 2026-11-27", got)
	}
	app = moveAt(t, env, wg, "2026-11-25 10:00", app, map[string]any{"status": "accepted", "decision_note": "受理"})
	if got := dueDate(app, workflow.DeadlineNotice); got != "2026-11-30" {
		t.Errorf("notice due %s, want 2026-11-30", got)
	}
	app = moveAt(t, env, wg, "2026-11-26 10:00", app, map[string]any{"status": "notified", "decision_note": "送达"})
	if got := dueDate(app, workflow.DeadlineSchedule); got != "2026-12-03" {
		t.Errorf("schedule due %s, want 2026-12-03", got)
	}
	if got := dueDate(app, workflow.DeadlineLeaderAck); got != "2026-11-27" {
		t.Errorf("leader's 签收 due %s, want one working day: 2026-11-27", got)
	}
	talk := createAt(t, env, secretary, "2026-11-27 09:00", collections.Talks, map[string]any{
		"application": app.Id, "scheduled_at": shanghai("2026-12-08 15:00"), "place": "划船社区会议室", "form": "visit"})
	app = fresh(t, env, app)
	if got := dueDate(app, workflow.DeadlineTalk); got != "2026-12-08" || app.GetString("status") != "scheduled" {
		t.Errorf("talk due %s (status %s), want its scheduled day 2026-12-08", got, app.GetString("status"))
	}
	if app.GetDateTime(collections.AppLeaderAckAt).IsZero() {
		t.Error("scheduling did not record the leader's 签收 (acting acknowledges)")
	}
	// the talk moved to another day: its clock follows
	talk = moveAt(t, env, secretary, "2026-11-30 09:00", talk, map[string]any{"scheduled_at": shanghai("2026-12-09 09:30")})
	if got := dueDate(fresh(t, env, app), workflow.DeadlineTalk); got != "2026-12-09" {
		t.Errorf("talk due %s after rescheduling, want 2026-12-09", got)
	}
	moveAt(t, env, secretary, "2026-12-09 11:00", talk, map[string]any{
		"outcome": "assigned", "held_at": shanghai("2026-12-09 09:30"), "record": "群众反映", "response": "交办住建局",
		"handling_unit": env.Org("JD-CG").Id, "responsible": env.User(handler).Id, "handling_due": shanghai("2026-12-31 00:00")})
	app = fresh(t, env, app)
	if got := dueDate(app, workflow.DeadlineHandling); got != "2026-12-31" {
		t.Errorf("handling due %s, want the leader's 2026-12-31", got)
	}
	if got := dueDate(app, workflow.DeadlineHandlerAck); got != "2026-12-10" {
		t.Errorf("handler's 签收 due %s, want 2026-12-10", got)
	}
	fb := createAt(t, env, handler, "2026-12-14 10:00", collections.Feedback, map[string]any{"application": app.Id, "result": "已完成排涝改造"})
	app = fresh(t, env, app)
	if got := dueDate(app, workflow.DeadlineApproval); got != "2026-12-17" {
		t.Errorf("approval due %s, want 3 working days: 2026-12-17", got)
	}
	fb = moveAt(t, env, secretary, "2026-12-15 10:00", fb, map[string]any{"leader_decision": "approved"})
	app = fresh(t, env, app)
	if got := dueDate(app, workflow.DeadlineReply); got != "2026-12-22" {
		t.Errorf("reply due %s, want 5 working days: 2026-12-22", got)
	}
	moveAt(t, env, staff, "2026-12-16 10:00", fb, map[string]any{"satisfaction": "satisfied"})
	app = fresh(t, env, app)
	if got := dueDate(app, workflow.DeadlineClose); got != "2026-12-30" || app.GetString("status") != "replied" {
		t.Errorf("close due %s (status %s), want 10 working days: 2026-12-30", got, app.GetString("status"))
	}
	// every status the matter passed through had a clock
	for _, s := range []string{"submitted", "forwarded", "accepted", "notified", "scheduled", "in_handling", "feedback_submitted", "feedback_approved", "replied"} {
		if workflow.OpenDeadline(s) == "" {
			t.Errorf("%s has no clock", s)
		}
	}
}

// TestConfigurableLengths: a stage the seed is silent on takes its length
// from its setting; the seed's own 3 and 5 days take none.
func TestConfigurableLengths(t *testing.T) {
	t.Setenv("YUETAN_APPROVAL_DAYS", "7")
	t.Setenv("YUETAN_CLOSE_DAYS", "oops") // not a number: the default stays
	for field, want := range map[string]int{workflow.DeadlineApproval: 7, workflow.DeadlineClose: 10, workflow.DeadlineNotice: 3, workflow.DeadlineSchedule: 5} {
		s, _ := workflow.StageOf(field)
		if got := s.Length(); got != want {
			t.Errorf("%s: %d days, want %d", field, got, want)
		}
	}
	for _, s := range workflow.Stages {
		if (s.Field == workflow.DeadlineNotice || s.Field == workflow.DeadlineSchedule) && s.Setting != "" {
			t.Errorf("%s is the seed's and must not be configurable", s.Field)
		}
	}
}

// TestAcknowledge: the leader and the handling unit acknowledge (签收) at
// the server's time whatever the client sends; a second 签收 is refused
// and changes nothing; the figures' on-time test compares it with its due.
func TestAcknowledge(t *testing.T) {
	env := testenv.New(t)
	p := prepare(t, env, "notified")
	url := apps + "/" + p.app.Id
	res := env.Do("PATCH", url, secretary, map[string]any{"leader_ack_at": "2000-01-01 00:00:00.000Z"})
	if res.Status != http.StatusOK {
		t.Fatalf("签收: %d %s", res.Status, res)
	}
	app := fresh(t, env, p.app)
	if at := app.GetDateTime(collections.AppLeaderAckAt).Time(); time.Since(at) > time.Minute {
		t.Errorf("签收 time %v is the client's, not the server's", at)
	}
	refusedUnchanged(t, env, "second 签收", env.Do("PATCH", url, secretary, map[string]any{"leader_ack_at": pbTime(time.Now())}), "已经签收过了", app)
	refusedUnchanged(t, env, "签收 by another leader", env.Do("PATCH", url, "mayor@yuetan.example", map[string]any{"leader_ack_at": pbTime(time.Now())}), "", app)
	if evs := eventsOf(t, env, p.app.Id); len(evs) != 1 || evs[0].GetString("action") != "acknowledge" {
		t.Errorf("events %d, want one acknowledge", len(evs))
	}
	h := prepare(t, env, "in_handling")
	hurl := apps + "/" + h.app.Id
	refusedUnchanged(t, env, "签收 by another unit", env.Do("PATCH", hurl, "handler2@yuetan.example", map[string]any{"handler_ack_at": pbTime(time.Now())}), "", h.app)
	refusedUnchanged(t, env, "a handler changing the matter", env.Do("PATCH", hurl, handler, map[string]any{"subject": "改写事项"}), "不能修改", h.app)
	if res := env.Do("PATCH", hurl, handler, map[string]any{"handler_ack_at": pbTime(time.Now())}); res.Status != http.StatusOK {
		t.Fatalf("handler 签收: %d %s", res.Status, res)
	}
}

// TestExtension: the handling unit asks for more time with a reason; an
// earlier date, no reason, a second request while one waits, a decision by
// anyone but the assigned leader are refused and change nothing; refusal
// keeps the deadline and needs a reason; approval moves it; every step is
// on the timeline.
func TestExtension(t *testing.T) {
	env := testenv.New(t)
	p := prepare(t, env, "in_handling")
	url := apps + "/" + p.app.Id
	due := p.app.GetDateTime(collections.AppHandlingDue).Time()
	earlier := pbTime(due.AddDate(0, 0, -3))
	later := due.AddDate(0, 0, 14)
	refusedUnchanged(t, env, "extension to an earlier date", env.Do("PATCH", url, handler,
		map[string]any{"extension_due": earlier, "extension_reason": "施工"}), "必须晚于原时限", p.app)
	refusedUnchanged(t, env, "extension without reason", env.Do("PATCH", url, handler,
		map[string]any{"extension_due": pbTime(later), "extension_reason": " "}), "理由", p.app)
	refusedUnchanged(t, env, "leader deciding nothing", env.Do("PATCH", url, secretary,
		map[string]any{"extension_state": "approved"}), "没有待审批的延期申请", p.app)
	if res := env.Do("PATCH", url, handler, map[string]any{"extension_due": pbTime(later), "extension_reason": "需协调供电部门停电施工"}); res.Status != http.StatusOK {
		t.Fatalf("request: %d %s", res.Status, res)
	}
	app := fresh(t, env, p.app)
	if app.GetString(collections.AppExtensionState) != "pending" || !app.GetDateTime(collections.AppHandlingDue).Time().Equal(due) {
		t.Fatalf("after the request: state %q, due %v (the clock moves only on approval)", app.GetString(collections.AppExtensionState), app.GetDateTime(collections.AppHandlingDue))
	}
	if app.GetDateTime(collections.AppHandlerAckAt).IsZero() {
		t.Error("asking for more time did not record the unit's 签收")
	}
	refusedUnchanged(t, env, "a second request while one waits", env.Do("PATCH", url, handler,
		map[string]any{"extension_due": pbTime(later.AddDate(0, 0, 7)), "extension_reason": "再延"}), "尚待领导审批", app)
	refusedUnchanged(t, env, "the unit approving itself", env.Do("PATCH", url, handler, map[string]any{"extension_state": "approved"}), "", app)
	refusedUnchanged(t, env, "another leader approving", env.Do("PATCH", url, "mayor@yuetan.example", map[string]any{"extension_state": "approved"}), "", app)
	refusedUnchanged(t, env, "refusal without reason", env.Do("PATCH", url, secretary, map[string]any{"extension_state": "refused"}), "须写明意见", app)
	refusedUnchanged(t, env, "approval moving the date elsewhere", env.Do("PATCH", url, secretary,
		map[string]any{"extension_state": "approved", "handling_due": pbTime(later.AddDate(1, 0, 0))}), "", app)
	if res := env.Do("PATCH", url, secretary, map[string]any{"extension_state": "approved", "decision_note": "同意"}); res.Status != http.StatusOK {
		t.Fatalf("approve: %d %s", res.Status, res)
	}
	app = fresh(t, env, p.app)
	if got, want := dueDate(app, collections.AppHandlingDue), workdays.FormatDate(later); got != want {
		t.Errorf("handling due %s after approval, want %s", got, want)
	}
	// a second request, refused: the deadline stays
	if res := env.Do("PATCH", url, handler, map[string]any{"extension_due": pbTime(later.AddDate(0, 0, 10)), "extension_reason": "材料未到"}); res.Status != http.StatusOK {
		t.Fatalf("second request: %d %s", res.Status, res)
	}
	if res := env.Do("PATCH", url, secretary, map[string]any{"extension_state": "refused", "decision_note": "请按期办结"}); res.Status != http.StatusOK {
		t.Fatalf("refuse: %d %s", res.Status, res)
	}
	if got := dueDate(fresh(t, env, p.app), collections.AppHandlingDue); got != workdays.FormatDate(later) {
		t.Errorf("a refused extension moved the deadline to %s", got)
	}
	var actions []string
	for _, ev := range eventsOf(t, env, p.app.Id) {
		actions = append(actions, ev.GetString("action"))
	}
	if got := strings.Join(actions, ","); got != "request_extension,approve_extension,request_extension,refuse_extension" {
		t.Errorf("timeline %s", got)
	}
	// past the deadline it is too late to ask
	late := prepare(t, env, "in_handling")
	late.app.Set(collections.AppHandlingDue, time.Now().AddDate(0, 0, -2))
	if err := env.SaveAsSystem(late.app); err != nil {
		t.Fatal(err)
	}
	late.app = fresh(t, env, late.app)
	refusedUnchanged(t, env, "extension after the deadline", env.Do("PATCH", apps+"/"+late.app.Id, handler,
		map[string]any{"extension_due": pbTime(time.Now().AddDate(0, 0, 10)), "extension_reason": "来不及"}), "已过", late.app)
}

// TestConcurrentExtensionDecisions: approve against refuse at the same
// instant, many times: exactly one wins; the same approval twice at once
// (a double tap) is applied once: the other is refused, or finds it
// already so and changes nothing.
func TestConcurrentExtensionDecisions(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	approve := map[string]any{"extension_state": "approved", "decision_note": "同意"}
	refuse := map[string]any{"extension_state": "refused", "decision_note": "不同意"}
	for round := range rounds {
		p := prepareFor(t, env, mustMove("approve_extension"))
		u := apps + "/" + p.app.Id
		as := together(t, env, srv.URL, write{"PATCH", u, secretary, approve}, write{"PATCH", u, secretary, refuse})
		if w := oneWins(t, round, as); w >= 0 {
			want := []string{"approved", "refused"}[w]
			if got := fresh(t, env, p.app).GetString(collections.AppExtensionState); got != want {
				t.Errorf("round %d: state %s, want the winner's %s", round, got, want)
			}
		}
		if n := len(eventsOf(t, env, p.app.Id)); n != 1 {
			t.Errorf("round %d: %d decisions on the timeline, want 1", round, n)
		}
		q := prepareFor(t, env, mustMove("approve_extension"))
		for _, a := range together(t, env, srv.URL, write{"PATCH", apps + "/" + q.app.Id, secretary, approve}, write{"PATCH", apps + "/" + q.app.Id, secretary, approve}) {
			if a.status != 200 && (a.status != 400 || !han.MatchString(a.body)) {
				t.Errorf("round %d: double approval answered %d %s", round, a.status, a.body)
			}
		}
		if n := len(eventsOf(t, env, q.app.Id)); n != 1 {
			t.Errorf("round %d: a double approval put %d decisions on the timeline, want 1", round, n)
		}
	}
}

func mustMove(action string) workflow.Transition {
	for _, t := range workflow.Table {
		if t.Action == action {
			return t
		}
	}
	panic(action)
}

// replied prepares a matter the community has replied to with satisfaction s.
func replied(t *testing.T, env *testenv.Env, s string) prepared {
	t.Helper()
	p := prepare(t, env, "feedback_approved")
	if res := env.Do("PATCH", "/api/collections/feedback/records/"+p.feedback.Id, staff, map[string]any{"satisfaction": s}); res.Status != http.StatusOK {
		t.Fatalf("reply: %d %s", res.Status, res)
	}
	p.app = fresh(t, env, p.app)
	return p
}

// TestRedo: 不满意 is flagged; the supervision office (or the working
// group) sends it back to handling with a note and a new deadline, or
// closes it only with a reason; a satisfied matter cannot be sent back.
func TestRedo(t *testing.T) {
	env := testenv.New(t)
	later := pbTime(time.Now().AddDate(0, 0, 15))
	ok := replied(t, env, "satisfied")
	refusedUnchanged(t, env, "重办 of a satisfied matter", env.Do("PATCH", apps+"/"+ok.app.Id, sup,
		map[string]any{"status": "in_handling", "decision_note": "重办", "handling_due": later}), "满意的事项请销号", ok.app)

	p := replied(t, env, "dissatisfied")
	if !p.app.GetBool(collections.AppDissatisfied) {
		t.Fatal("a dissatisfied reply is not flagged")
	}
	url := apps + "/" + p.app.Id
	refusedUnchanged(t, env, "销号 of a dissatisfied matter without reason", env.Do("PATCH", url, sup, map[string]any{"status": "closed"}), "须写明理由", p.app)
	refusedUnchanged(t, env, "重办 without a new deadline", env.Do("PATCH", url, sup, map[string]any{"status": "in_handling", "decision_note": "重办"}), "新的办结时限", p.app)
	refusedUnchanged(t, env, "重办 without a note", env.Do("PATCH", url, sup, map[string]any{"status": "in_handling", "handling_due": later}), "处理意见", p.app)
	refusedUnchanged(t, env, "重办 by the leader", env.Do("PATCH", url, secretary, map[string]any{"status": "in_handling", "decision_note": "重办", "handling_due": later}), "", p.app)
	refusedUnchanged(t, env, "重办 to a past date", env.Do("PATCH", url, sup, map[string]any{"status": "in_handling", "decision_note": "重办",
		"handling_due": pbTime(time.Now().AddDate(0, 0, -1))}), "晚于今天", p.app)
	if res := env.Do("PATCH", url, sup, map[string]any{"status": "in_handling", "decision_note": "群众反映积水仍未解决，重办", "handling_due": later}); res.Status != http.StatusOK {
		t.Fatalf("重办: %d %s", res.Status, res)
	}
	app := fresh(t, env, p.app)
	if app.GetString("status") != "in_handling" || app.GetBool(collections.AppDissatisfied) || !app.GetDateTime(collections.AppHandlerAckAt).IsZero() ||
		app.GetDateTime(collections.AppHandlerAckDue).IsZero() || dueDate(app, collections.AppHandlingDue) != workdays.FormatDate(time.Now().AddDate(0, 0, 15)) {
		t.Errorf("after 重办: status %s, dissatisfied %v, ack %v/%v, due %s", app.GetString("status"), app.GetBool(collections.AppDissatisfied),
			app.Get(collections.AppHandlerAckAt), app.Get(collections.AppHandlerAckDue), dueDate(app, collections.AppHandlingDue))
	}
	// the unit reports again: a new feedback, a new approval
	if res := env.Do("POST", "/api/collections/feedback/records", handler, map[string]any{"application": p.app.Id, "result": "已重新疏通排水管"}); res.Status != http.StatusOK {
		t.Fatalf("feedback after 重办: %d %s", res.Status, res)
	}
	// the working group may send it back too, and close with a reason
	q := replied(t, env, "dissatisfied")
	if res := env.Do("PATCH", apps+"/"+q.app.Id, sup, map[string]any{"status": "closed", "decision_note": "诉求超出政策范围，已向群众解释"}); res.Status != http.StatusOK {
		t.Fatalf("销号 with a reason: %d %s", res.Status, res)
	}
	w := replied(t, env, "dissatisfied")
	if res := env.Do("PATCH", apps+"/"+w.app.Id, wg, map[string]any{"status": "in_handling", "decision_note": "重办", "handling_due": later}); res.Status != http.StatusOK {
		t.Fatalf("重办 by the working group: %d %s", res.Status, res)
	}
}

// TestFollowUp: the supervision office's own 回访 records a satisfaction;
// a dissatisfied one flags the matter for 重办 even when the community
// said it was satisfied; a 回访 before the reply is refused.
func TestFollowUp(t *testing.T) {
	env := testenv.New(t)
	p := replied(t, env, "satisfied")
	sups := "/api/collections/supervisions/records"
	if res := env.Do("POST", sups, sup, map[string]any{"application": p.app.Id, "kind": "follow_up", "note": "电话回访"}); res.Status != http.StatusBadRequest {
		t.Errorf("回访 without satisfaction: %d %s", res.Status, res)
	}
	if res := env.Do("POST", sups, sup, map[string]any{"application": p.app.Id, "kind": "follow_up", "satisfaction": "dissatisfied", "note": "电话回访：积水依旧"}); res.Status != http.StatusOK {
		t.Fatalf("回访: %d %s", res.Status, res)
	}
	if !fresh(t, env, p.app).GetBool(collections.AppDissatisfied) {
		t.Fatal("a dissatisfied 回访 did not flag the matter")
	}
	if res := env.Do("PATCH", apps+"/"+p.app.Id, sup, map[string]any{"status": "in_handling", "decision_note": "回访不满意，重办",
		"handling_due": pbTime(time.Now().AddDate(0, 0, 10))}); res.Status != http.StatusOK {
		t.Fatalf("重办 after the 回访: %d %s", res.Status, res)
	}
	early := prepare(t, env, "in_handling")
	if res := env.Do("POST", sups, sup, map[string]any{"application": early.app.Id, "kind": "follow_up", "satisfaction": "satisfied"}); res.Status != http.StatusBadRequest {
		t.Errorf("回访 before the reply: %d %s", res.Status, res)
	}
}

func countSupervisions(t *testing.T, env *testenv.Env, appID string) int {
	t.Helper()
	rs, err := env.App.FindRecordsByFilter(collections.Supervisions, "application = {:a}", "", 0, 0, map[string]any{"a": appID})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// TestReminderReachesItsHolder: a reminder is its author's and aimed at
// whoever holds the stage (whatever the client says); the holder reads it
// and others do not; a second one the same day asks first; none on a
// matter nobody holds any more.
func TestReminderReachesItsHolder(t *testing.T) {
	env := testenv.New(t)
	sups := "/api/collections/supervisions/records"
	p := prepare(t, env, "in_handling")
	res := env.Do("POST", sups, sup, map[string]any{"application": p.app.Id, "kind": "reminder", "note": "请加快办理",
		"created_by": env.User(wg).Id, "target_user": env.User(secretary).Id, "target_org": env.Org("DL").Id})
	if res.Status != http.StatusOK {
		t.Fatalf("reminder: %d %s", res.Status, res)
	}
	r := res.JSON(t)
	if r["created_by"] != env.User(sup).Id || r["target_user"] != env.User(handler).Id || r["target_org"] != env.Org("JD-CG").Id || r["status"] != "in_handling" {
		t.Errorf("reminder author/target: %v", r)
	}
	// the responsible unit finds it through its own filter; another unit sees nothing
	mine := "?filter=" + strings.ReplaceAll("(target_org='"+env.Org("JD-CG").Id+"')", "'", "%27")
	if l := env.Do("GET", sups+mine, handler, nil); l.Status != 200 || !strings.Contains(l.String(), p.app.Id) {
		t.Errorf("the holder does not see its reminder: %d %s", l.Status, l)
	}
	if l := env.Do("GET", sups, "handler2@yuetan.example", nil); strings.Contains(l.String(), p.app.Id) {
		t.Errorf("another unit sees the reminder: %s", l)
	}
	// the same day again: asked first, nothing written; confirmed: written
	n := countSupervisions(t, env, p.app.Id)
	again := env.Do("POST", sups, sup, map[string]any{"application": p.app.Id, "kind": "reminder", "note": "请加快办理"})
	if again.Status != http.StatusBadRequest || !strings.Contains(again.String(), "duplicate_today") || !strings.Contains(again.String(), "确定要再次提醒吗") {
		t.Errorf("second reminder today: %d %s", again.Status, again)
	}
	if countSupervisions(t, env, p.app.Id) != n {
		t.Error("the unconfirmed second reminder was written")
	}
	if res := env.Do("POST", sups, sup, map[string]any{"application": p.app.Id, "kind": "reminder", "note": "请加快办理", "repeat": true}); res.Status != http.StatusOK {
		t.Errorf("confirmed second reminder: %d %s", res.Status, res)
	}
	// a community receives what is aimed at it (the reply is its to make)
	fa := prepare(t, env, "feedback_approved")
	if res := env.Do("POST", sups, sup, map[string]any{"application": fa.app.Id, "kind": "reminder", "note": "请尽快答复"}); res.Status != http.StatusOK {
		t.Fatalf("reminder to the community: %d %s", res.Status, res)
	}
	if l := env.Do("GET", sups, staff, nil); !strings.Contains(l.String(), fa.app.Id) || strings.Contains(l.String(), p.app.Id) {
		t.Errorf("the community sees %s", l)
	}
	// nobody holds a closed matter
	closed := prepare(t, env, "closed")
	if res := env.Do("POST", sups, sup, map[string]any{"application": closed.app.Id, "kind": "reminder", "note": "催办"}); res.Status != http.StatusBadRequest || !strings.Contains(res.String(), "不能督办提醒") {
		t.Errorf("reminder on a closed matter: %d %s", res.Status, res)
	}
	if countSupervisions(t, env, closed.app.Id) != 0 {
		t.Error("a reminder on a closed matter was written")
	}
}

// TestTwoIdenticalRemindersAtOnce: the same reminder twice at the same
// instant, many times: exactly one is written, the other asks first.
func TestTwoIdenticalRemindersAtOnce(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	for round := range rounds {
		p := prepare(t, env, "notified")
		body := map[string]any{"application": p.app.Id, "kind": "reminder", "note": "请尽快商定约谈"}
		w := oneWins(t, round, together(t, env, srv.URL,
			write{"POST", "/api/collections/supervisions/records", sup, body},
			write{"POST", "/api/collections/supervisions/records", sup, body}))
		if w < 0 {
			continue
		}
		if n := countSupervisions(t, env, p.app.Id); n != 1 {
			t.Errorf("round %d: %d reminders written, want 1", round, n)
		}
	}
}

// TestReturnedStaysVisible: a return records when and why; the community
// resubmits under the same serial and the mark goes.
func TestReturnedStaysVisible(t *testing.T) {
	env := testenv.New(t)
	p := prepare(t, env, "draft")
	app := moveAt(t, env, staff, "2026-11-23 10:00", p.app, map[string]any{"status": "submitted"})
	serial := app.GetString(collections.AppSerial)
	app = moveAt(t, env, street, "2026-11-24 10:00", app, map[string]any{"status": "draft", "decision_note": "请补充涉及户数"})
	if app.GetDateTime(collections.AppReturnedAt).IsZero() || app.GetString(collections.AppReturnReason) != "请补充涉及户数" {
		t.Fatalf("returned: at %v, reason %q", app.Get(collections.AppReturnedAt), app.GetString(collections.AppReturnReason))
	}
	// the reason is the server's: a community cannot write one
	if res := env.Do("PATCH", apps+"/"+app.Id, staff, map[string]any{"return_reason": ""}); res.Status == http.StatusOK && fresh(t, env, app).GetString(collections.AppReturnReason) == "" {
		t.Error("the community erased the street's reason")
	}
	app = moveAt(t, env, staff, "2026-11-25 09:00", fresh(t, env, app), map[string]any{"affected_count": 120})
	app = moveAt(t, env, staff, "2026-11-25 10:00", app, map[string]any{"status": "submitted"})
	if app.GetString(collections.AppSerial) != serial || !app.GetDateTime(collections.AppReturnedAt).IsZero() {
		t.Errorf("resubmitted: serial %s (was %s), returned_at %v", app.GetString(collections.AppSerial), serial, app.Get(collections.AppReturnedAt))
	}
}

// TestSuperviseFlagsEveryStage: the job flags the new stages too, aimed
// at their holders, and an acknowledged 签收 clock no longer.
func TestSuperviseFlagsEveryStage(t *testing.T) {
	env := testenv.New(t)
	p := prepare(t, env, "feedback_submitted")
	p.app.Set(collections.AppApprovalDue, deadlines.EndOfDay(time.Now().AddDate(0, 0, -3)))
	if err := env.SaveAsSystem(p.app); err != nil {
		t.Fatal(err)
	}
	n := prepare(t, env, "notified")
	n.app.Set(collections.AppLeaderAckDue, deadlines.EndOfDay(time.Now().AddDate(0, 0, -3)))
	n.app.Set(collections.AppLeaderAckAt, time.Now().AddDate(0, 0, -4))
	if err := env.SaveAsSystem(n.app); err != nil {
		t.Fatal(err)
	}
	if _, err := deadlines.Supervise(env.App, time.Now()); err != nil {
		t.Fatal(err)
	}
	flag, err := env.App.FindFirstRecordByFilter(collections.Supervisions, "application = {:a} && deadline = 'approval_due' && kind = 'overdue'", map[string]any{"a": p.app.Id})
	if err != nil {
		t.Fatalf("no overdue flag on the leader's approval: %v", err)
	}
	if flag.GetString(collections.SupTargetUser) != env.User(secretary).Id || flag.GetString(collections.SupCreatedBy) != "" {
		t.Errorf("flag aimed at %q by %q", flag.GetString(collections.SupTargetUser), flag.GetString(collections.SupCreatedBy))
	}
	if f, _ := env.App.FindFirstRecordByFilter(collections.Supervisions, "application = {:a} && deadline = 'leader_ack_due'", map[string]any{"a": n.app.Id}); f != nil {
		t.Error("an acknowledged 签收 clock was flagged")
	}
}

// TestProofOfWork: the feedback carries photos and documents within the
// issue photos' budgets.
func TestProofOfWork(t *testing.T) {
	env := testenv.New(t)
	p := prepare(t, env, "in_handling")
	fields := map[string]string{"application": p.app.Id, "result": "已完成改造"}
	res := send(t, env, "POST", "/api/collections/feedback/records", handler, nil, fields, map[filePart][]byte{{"proof", "bomb.png"}: imagebomb.PNGHeader(15000, 15000)})
	if msg := fieldMessage(t, res.Body, "proof"); res.Status != http.StatusBadRequest || !strings.Contains(msg, "像素过多") {
		t.Errorf("a bomb as proof: %d %q", res.Status, msg)
	}
	if got := statusOf(t, env, p.app.Id); got != "in_handling" {
		t.Fatalf("a refused feedback moved the matter to %s", got)
	}
	res = send(t, env, "POST", "/api/collections/feedback/records", handler, nil, fields, map[filePart][]byte{
		{"proof", "现场.jpg"}: imagebomb.Photo(1600, 1200), {"proof", "验收单.pdf"}: []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")})
	if res.Status != http.StatusOK {
		t.Fatalf("proof: %d %s", res.Status, res)
	}
	if n := len(res.JSON(t)["proof"].([]any)); n != 2 {
		t.Errorf("%d proof files stored, want 2", n)
	}
}

// TestTwoAcknowledgementsAtOnce: the leader's 签收 sent twice at the same
// instant, many times: exactly one is recorded.
func TestTwoAcknowledgementsAtOnce(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	for round := range rounds {
		p := prepare(t, env, "notified")
		u := apps + "/" + p.app.Id
		oneWins(t, round, together(t, env, srv.URL,
			write{"PATCH", u, secretary, map[string]any{"leader_ack_at": pbTime(time.Now())}},
			write{"PATCH", u, secretary, map[string]any{"leader_ack_at": pbTime(time.Now().Add(time.Second))}}))
		if n := len(eventsOf(t, env, p.app.Id)); n != 1 {
			t.Errorf("round %d: %d 签收 on the timeline, want 1", round, n)
		}
	}
}
