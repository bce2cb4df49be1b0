package stats_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/forms"
	"yuetan/internal/testenv"
	"yuetan/savectx"
	"yuetan/stats"
	"yuetan/workdays"
	"yuetan/workflow"
)

// sh is a Shanghai wall-clock time.
func sh(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, workdays.Shanghai)
}

// walker makes the moves of a fixture through the real hooks, as the demo
// users, at the given times: the events, stamps and due dates are the
// server's own.
type walker struct {
	t   *testing.T
	env *testenv.Env
	app core.App // env.App, or a transaction of it
}

func (w walker) save(email string, at time.Time, rec *core.Record) *core.Record {
	w.t.Helper()
	ctx := savectx.At(savectx.AsUser(context.Background(), w.env.User(email)), at)
	if err := w.app.SaveWithContext(ctx, rec); err != nil {
		w.t.Fatalf("%s at %s saves %s: %v", email, at, rec.Collection().Name, err)
	}
	fresh, err := w.app.FindRecordById(rec.Collection().Name, rec.Id)
	if err != nil {
		w.t.Fatal(err)
	}
	return fresh
}

func (w walker) draft(staff, community, leader, subject string, at time.Time) *core.Record {
	apps, _ := w.env.App.FindCachedCollectionByNameOrId(collections.Applications)
	a := core.NewRecord(apps)
	a.Load(map[string]any{
		collections.AppCommunity: w.env.Org(community).Id, collections.AppApplicantKind: collections.ApplicantCommunity,
		collections.AppSubject: subject, collections.AppCategory: workflow.CategoryCommunityBuilding,
		collections.AppDescription: "居民反映的问题。", collections.AppRequest: "请领导协调解决。", collections.AppAffectedCount: 50,
		collections.AppTargetLeader: w.env.User(leader).Id, collections.AppTalkForm: workflow.TalkVisit,
	})
	return w.save(staff, at, a)
}

func (w walker) move(email string, a *core.Record, at time.Time, set map[string]any) *core.Record {
	for k, v := range set {
		a.Set(k, v)
	}
	return w.save(email, at, a)
}

func (w walker) talk(leader string, a *core.Record, at time.Time) *core.Record {
	talks, _ := w.env.App.FindCachedCollectionByNameOrId(collections.Talks)
	t := core.NewRecord(talks)
	t.Load(map[string]any{collections.TalkApplication: a.Id, collections.TalkScheduledAt: at.Add(24 * time.Hour),
		collections.TalkPlace: "社区会议室", collections.TalkForm: workflow.TalkVisit})
	return w.save(leader, at, t)
}

// The fixture across September and October 2025: the month boundary
// (also where Shanghai's and UTC's dates differ), the National Day
// holiday (10-01…10-08) and its 调休 working weekend days (Sunday 09-28,
// Saturday 10-11). Due dates by hand:
//
//	A  submitted 09-26, forwarded Sun 09-28 (a working day), accepted 09-29:
//	   review due 10-09 (the 5th is a holiday, so the next working day) — met 09-29;
//	   notice due 3 working days after 09-29 = 09-30, 10-09, 10-10 → 10-10;
//	   notified Sat 10-11 (a working day): late; 签收 due the next working day
//	   10-13, acknowledged 10-13: met; schedule due 10-13…10-17 → 10-17,
//	   never scheduled: open past due; on 2025-11-05 late by the working days
//	   10-20…11-05 = 13.
//	B  submitted 09-30 (received in September), forwarded 09-30, accepted 10-09
//	   (accepted in October): review due 10-09 — met; notice due 10-10, Sat 10-11,
//	   10-13 → 10-13 (without the 调休 Saturday it would be 10-14); notified
//	   10-14: late; 签收 due 10-15, acknowledged by scheduling 10-16: late;
//	   schedule due 10-15…10-21 → 10-21, scheduled 10-16: met; resolved on
//	   the spot 10-17.
//	C  submitted 2025-11-01 07:00 Shanghai (10-31 23:00 UTC): November's;
//	   resolved by the street 11-03.
//	D  a draft since 10-15, never submitted: nowhere.
//	E  submitted 10-09, forwarded 10-10, declined 10-13: review due at the next
//	   review day after 10-10 = 11-05 — met.
//	F  submitted and forwarded 10-13, accepted 10-14 (review due 11-05 — met;
//	   notice due 10-15…10-17 → 10-17), notified 10-15 (met; schedule due
//	   10-16…10-22 → 10-22; 签收 due 10-16), scheduled 10-16 (met, and so
//	   acknowledged: met), assigned Fri 10-17 to 城管局 with a handling
//	   deadline of 10-24 (the unit's 签收 due Mon 10-20, never given before
//	   its feedback 10-22: late), feedback 10-22 (met), approved 10-23
//	   (resolved), replied 10-24 基本满意.
func fixture(t *testing.T) (*testenv.Env, map[string]*core.Record) {
	env := testenv.New(t)
	w := walker{t, env, env.App}
	const wg, street, street2 = "wg@yuetan.example", "street@yuetan.example", "street2@yuetan.example"
	submit := map[string]any{collections.AppStatus: workflow.StatusSubmitted}
	forward := map[string]any{collections.AppStatus: workflow.StatusForwarded, collections.AppDecisionNote: "报专门工作小组。"}
	accept := func(leader string) map[string]any {
		return map[string]any{collections.AppStatus: workflow.StatusAccepted, collections.AppAssignedLeader: env.User(leader).Id}
	}
	notify := map[string]any{collections.AppStatus: workflow.StatusNotified}
	out := map[string]*core.Record{}

	a := w.draft("staff@yuetan.example", "DL-HC", "secretary@yuetan.example", "定义样例A", sh(2025, 9, 20, 10))
	a = w.move("staff@yuetan.example", a, sh(2025, 9, 26, 10), submit)
	a = w.move(street, a, sh(2025, 9, 28, 10), forward)
	a = w.move(wg, a, sh(2025, 9, 29, 10), accept("secretary@yuetan.example"))
	a = w.move(wg, a, sh(2025, 10, 11, 10), notify)
	out["A"] = w.move("secretary@yuetan.example", a, sh(2025, 10, 13, 9), map[string]any{collections.AppLeaderAckAt: sh(2025, 10, 13, 9)})

	b := w.draft("staff2@yuetan.example", "BH-DH", "chief@yuetan.example", "定义样例B", sh(2025, 9, 29, 9))
	b = w.move("staff2@yuetan.example", b, sh(2025, 9, 30, 9), submit)
	b = w.move(street2, b, sh(2025, 9, 30, 15), forward)
	b = w.move(wg, b, sh(2025, 10, 9, 10), accept("chief@yuetan.example"))
	b = w.move(wg, b, sh(2025, 10, 14, 10), notify)
	talk := w.talk("chief@yuetan.example", b, sh(2025, 10, 16, 10))
	talk.Set(collections.TalkOutcome, workflow.OutcomeOnSpot)
	talk.Set(collections.TalkHeldAt, sh(2025, 10, 17, 10))
	talk.Set(collections.TalkRecord, "约谈记录。")
	talk.Set(collections.TalkResponse, "现场协调解决。")
	talk.Set(collections.TalkRecorder, "记录员")
	w.save("chief@yuetan.example", sh(2025, 10, 17, 11), talk)
	out["B"], _ = env.App.FindRecordById(collections.Applications, b.Id)

	c := w.draft("staff4@yuetan.example", "DL-DLF", "mayor@yuetan.example", "定义样例C", sh(2025, 10, 30, 10))
	c = w.move("staff4@yuetan.example", c, sh(2025, 11, 1, 7), submit)
	out["C"] = w.move(street, c, sh(2025, 11, 3, 10), map[string]any{collections.AppStatus: workflow.StatusStreetResolved, collections.AppDecisionNote: "街道协调解决。"})

	f := w.draft("staff@yuetan.example", "DL-HC", "mayor@yuetan.example", "定义样例F", sh(2025, 10, 10, 9))
	f = w.move("staff@yuetan.example", f, sh(2025, 10, 13, 9), submit)
	f = w.move(street, f, sh(2025, 10, 13, 15), forward)
	f = w.move(wg, f, sh(2025, 10, 14, 10), accept("mayor@yuetan.example"))
	f = w.move(wg, f, sh(2025, 10, 15, 10), notify)
	ft := w.talk("mayor@yuetan.example", f, sh(2025, 10, 16, 10))
	ft.Load(map[string]any{collections.TalkOutcome: workflow.OutcomeAssigned, collections.TalkHeldAt: sh(2025, 10, 17, 10),
		collections.TalkRecord: "约谈记录。", collections.TalkResponse: "交办城管局。", collections.TalkRecorder: "记录员",
		collections.TalkHandlingUnit: env.Org("JD-CG").Id, collections.TalkResponsible: env.User("handler@yuetan.example").Id,
		collections.TalkHandlingDue: sh(2025, 10, 24, 12)})
	w.save("mayor@yuetan.example", sh(2025, 10, 17, 11), ft)
	fbs, _ := env.App.FindCachedCollectionByNameOrId(collections.Feedback)
	fb := core.NewRecord(fbs)
	fb.Load(map[string]any{collections.FbApplication: f.Id, collections.FbResult: "已完成整改。", collections.FbMeasures: "专题研究。"})
	fb = w.save("handler@yuetan.example", sh(2025, 10, 22, 10), fb)
	fb.Load(map[string]any{collections.FbLeaderDecision: workflow.DecisionApproved, collections.FbLeaderComment: "同意。"})
	fb = w.save("mayor@yuetan.example", sh(2025, 10, 23, 10), fb)
	fb.Load(map[string]any{collections.FbSatisfaction: workflow.SatisfactionBasically, collections.FbApplicantComment: "基本认可。"})
	w.save("staff@yuetan.example", sh(2025, 10, 24, 10), fb)
	out["F"], _ = env.App.FindRecordById(collections.Applications, f.Id)

	out["D"] = w.draft("staff@yuetan.example", "DL-HC", "mayor@yuetan.example", "定义样例D", sh(2025, 10, 15, 10))

	e := w.draft("staff4@yuetan.example", "DL-DLF", "mayor@yuetan.example", "定义样例E", sh(2025, 10, 8, 10))
	e = w.move("staff4@yuetan.example", e, sh(2025, 10, 9, 10), submit)
	e = w.move(street, e, sh(2025, 10, 10, 10), forward)
	out["E"] = w.move(wg, e, sh(2025, 10, 13, 10), map[string]any{collections.AppStatus: workflow.StatusDeclined,
		collections.AppDecisionNote: "涉法涉访，按一般来信处理。"})

	// collection work on both sides of midnight 10-01 in Shanghai (the
	// same UTC date, 09-30)
	meetings, _ := env.App.FindCachedCollectionByNameOrId(collections.Meetings)
	issues, _ := env.App.FindCachedCollectionByNameOrId(collections.Issues)
	for i, at := range []time.Time{sh(2025, 9, 30, 22), time.Date(2025, 10, 1, 1, 0, 0, 0, workdays.Shanghai), sh(2025, 10, 20, 9)} {
		m := core.NewRecord(meetings)
		m.Load(map[string]any{collections.MeetingCommunity: env.Org("DL-HC").Id, collections.MeetingKind: "wuju",
			collections.MeetingHeldOn: at, collections.MeetingTitle: fmt.Sprint("定义样例会议", i)})
		w.save("staff@yuetan.example", at, m)
		kind := "problem"
		if i == 2 {
			kind = "suggestion"
		}
		is := core.NewRecord(issues)
		is.Load(map[string]any{collections.IssueCommunity: env.Org("DL-HC").Id, collections.IssueKind: kind,
			collections.IssueTitle: fmt.Sprint("定义样例问题", i), collections.IssueSource: "door_to_door"})
		w.save("grid@yuetan.example", at, is)
	}
	return env, out
}

// TestEachFigureFromItsEvent checks every figure of September, October
// and November 2025 against the fixture's hand-computed values.
func TestEachFigureFromItsEvent(t *testing.T) {
	env, apps := fixture(t)
	// the due dates the server set are the hand-computed ones
	for _, c := range []struct {
		app, field, want string
	}{
		{"A", collections.AppReviewDue, "2025-10-09"}, {"A", collections.AppNoticeDue, "2025-10-10"}, {"A", collections.AppScheduleDue, "2025-10-17"},
		{"B", collections.AppReviewDue, "2025-10-09"}, {"B", collections.AppNoticeDue, "2025-10-13"}, {"B", collections.AppScheduleDue, "2025-10-21"},
		{"E", collections.AppReviewDue, "2025-11-05"},
		{"A", collections.AppLeaderAckDue, "2025-10-13"}, {"B", collections.AppLeaderAckDue, "2025-10-15"},
		{"F", collections.AppLeaderAckDue, "2025-10-16"}, {"F", collections.AppHandlerAckDue, "2025-10-20"},
	} {
		if got := workdays.FormatDate(apps[c.app].GetDateTime(c.field).Time()); got != c.want {
			t.Errorf("%s %s is %s, by hand %s", c.app, c.field, got, c.want)
		}
	}
	type want struct {
		received, accepted, fourTeams, chiefs, declined, street, onSpot, assigned, resolved, closed int
		meetings, problems, suggestions, replied, satisfied                                         int
		rates                                                                                       map[string][2]int // on time, done
		ranking                                                                                     []string          // kind name rank response resolution satisfaction
	}
	for _, c := range []struct {
		from, to string
		want     want
	}{
		{"2025-09-01", "2025-09-30", want{received: 2, accepted: 1, fourTeams: 1, meetings: 1, problems: 1,
			rates:   map[string][2]int{workflow.DeadlineReview: {1, 1}},
			ranking: []string{"leader 周明远 1 —0/0 解决0/1 满意0/0", "street 东柳街道 1 —0/0 解决0/1 满意0/0", "street 白鹤街道 1 —0/0 解决0/1 满意0/0"}}},
		{"2025-10-01", "2025-10-31", want{received: 2, accepted: 2, fourTeams: 1, chiefs: 1, declined: 1, onSpot: 1, assigned: 1, resolved: 2,
			meetings: 2, problems: 1, suggestions: 1, replied: 1, satisfied: 1,
			rates: map[string][2]int{workflow.DeadlineReview: {3, 3}, workflow.DeadlineNotice: {1, 3}, workflow.DeadlineSchedule: {2, 3}, workflow.DeadlineHandling: {1, 1},
				workflow.DeadlineLeaderAck: {2, 3}, workflow.DeadlineHandlerAck: {0, 1}},
			ranking: []string{"unit 区城管局 1 —0/1 解决1/1 满意1/1", "leader 许文华 1 —1/1 解决1/1 满意1/1", "leader 钱立新 2 —0/1 解决1/1 满意0/0",
				"leader 周明远 3 —1/1 解决0/0 满意0/0", "street 东柳街道 1 —0/0 解决1/2 满意1/1"}}},
		{"2025-11-01", "2025-11-30", want{received: 1, street: 1, resolved: 1,
			rates:   map[string][2]int{workflow.DeadlineSchedule: {0, 1}},
			ranking: []string{"street 东柳街道 1 —0/0 解决1/1 满意0/0"}}},
	} {
		res := env.Do("GET", "/api/stats?from="+c.from+"&to="+c.to, "sup@yuetan.example", nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", c.from, res.Status, res)
		}
		f := res.JSON(t)
		n := func(path ...string) int {
			var v any = f
			for _, p := range path {
				v = v.(map[string]any)[p]
			}
			if v == nil {
				return 0
			}
			return int(v.(float64))
		}
		w := c.want
		for _, chk := range []struct {
			name      string
			got, want int
		}{
			{"received", n("applications"), w.received}, {"accepted", n("accepted", "total"), w.accepted},
			{"four teams", n("accepted", "four_teams"), w.fourTeams}, {"district chiefs", n("accepted", "district_chief"), w.chiefs},
			{"declined", n("declined"), w.declined}, {"street", n("resolved", "street"), w.street},
			{"on the spot", n("resolved", "on_spot"), w.onSpot}, {"assigned", n("resolved", "assigned"), w.assigned},
			{"resolved", n("resolved", "total"), w.resolved},
			{"replied", n("satisfaction", "replied"), w.replied},
			{"satisfied", n("satisfaction", "satisfied") + n("satisfaction", "basically_satisfied"), w.satisfied},
			{"closed", n("closed"), w.closed},
			{"meetings", n("meetings") - baseline(t, env, "meetings", c.from, c.to), w.meetings},
			{"problems", n("problems") - baseline(t, env, "problems", c.from, c.to), w.problems},
			{"suggestions", n("suggestions") - baseline(t, env, "suggestions", c.from, c.to), w.suggestions},
		} {
			if chk.got != chk.want {
				t.Errorf("%s…%s %s: %d, by hand %d", c.from, c.to, chk.name, chk.got, chk.want)
			}
		}
		for _, st := range stats.Stages() {
			r, _ := f["on_time"].(map[string]any)[st.Field].(map[string]any)
			got := [2]int{}
			if r != nil {
				got = [2]int{int(r["on_time"].(float64)), int(r["done"].(float64))}
			}
			if got != w.rates[st.Field] {
				t.Errorf("%s…%s %s on time %d of %d, by hand %d of %d", c.from, c.to, st.Field, got[0], got[1], w.rates[st.Field][0], w.rates[st.Field][1])
			}
		}
		var ranking []string
		for _, it := range f["ranking"].([]any) {
			r := it.(map[string]any)
			rate := func(k string) string {
				m := r[k].(map[string]any)
				return fmt.Sprintf("%v/%v", m["on_time"], m["done"])
			}
			ranking = append(ranking, fmt.Sprintf("%s %s %v —%s 解决%s 满意%s", r["kind"], r["name"], r["rank"], rate("response"), rate("resolution"), rate("satisfaction")))
		}
		if fmt.Sprint(ranking) != fmt.Sprint(w.ranking) {
			t.Errorf("%s…%s ranking:\n got %q\nwant %q", c.from, c.to, ranking, w.ranking)
		}
		if defs, _ := f["definitions"].([]any); len(defs) != len(stats.Definitions) {
			t.Errorf("%s: %d definitions served", c.from, len(defs))
		}
	}

	// as of 2025-11-05 noon: A is 13 working days past its schedule
	// deadline, in the figures and in the bulletin alike
	now := sh(2025, 11, 5, 12)
	month, _ := forms.ParseMonth("2025-10")
	f, err := stats.Compute(env.App, deadlines.Calendar(env.App), stats.Query{From: month, To: month.AddDate(0, 1, 0), District: true, Work: true}, now)
	if err != nil {
		t.Fatal(err)
	}
	var late *stats.Overdue
	for i, o := range f.Overdue {
		if o.Application == apps["A"].Id {
			late = &f.Overdue[i]
		}
		if o.Application == apps["B"].Id || o.Application == apps["E"].Id || o.Application == apps["C"].Id || o.Application == apps["F"].Id {
			t.Errorf("%s is overdue: %+v", o.Subject, o)
		}
	}
	if late == nil || late.DaysLate != 13 || late.Deadline != workflow.DeadlineSchedule || late.DueOn != "2025-10-17" {
		t.Fatalf("A overdue: %+v, by hand 13 working days past the schedule deadline 2025-10-17", late)
	}
	d := forms.BulletinData(f, month, "督查室", "全区")
	if d.Totals.Received != 2 || d.Totals.Accepted != 2 || d.Totals.Declined != 1 || d.Totals.OnSpot != 1 || d.Totals.Assigned != 1 {
		t.Errorf("bulletin totals %+v", d.Totals)
	}
	found := false
	for _, o := range d.Overdue {
		if o.Serial == apps["A"].GetString(collections.AppSerial) {
			found = o.DaysOverdue == late.DaysLate
		}
	}
	if !found {
		t.Errorf("the bulletin's overdue list disagrees with the figures: %+v", d.Overdue)
	}
	if len(d.Rankings) != 3 || d.Rankings[0].Kind != "承办单位" || d.Rankings[0].Rows[0].Name != "区城管局" ||
		d.Rankings[0].Rows[0].Resolution.String() != "100.0%" || d.Rankings[1].Rows[0].Name != "许文华" {
		t.Errorf("the bulletin's ranking: %+v", d.Rankings)
	}
	if len(d.Notes) != len(stats.Definitions) {
		t.Errorf("bulletin notes: %d, definitions %d", len(d.Notes), len(stats.Definitions))
	}
}

// baseline is the demo's own collection work in the range (the fixture
// adds to it).
func baseline(t *testing.T, env *testenv.Env, what, from, to string) int {
	start, _ := workdays.ParseDate(from)
	end, _ := workdays.ParseDate(to)
	end = end.AddDate(0, 0, 1)
	p := map[string]any{"from": start.UTC().Format("2006-01-02 15:04:05.000Z"), "to": end.UTC().Format("2006-01-02 15:04:05.000Z")}
	q := map[string]string{
		"meetings":    "SELECT COUNT(*) FROM meetings WHERE held_on >= {:from} AND held_on < {:to} AND title NOT LIKE '定义样例%'",
		"problems":    "SELECT COUNT(*) FROM issues WHERE kind = 'problem' AND duplicate_of = '' AND collected_at >= {:from} AND collected_at < {:to} AND title NOT LIKE '定义样例%'",
		"suggestions": "SELECT COUNT(*) FROM issues WHERE kind = 'suggestion' AND duplicate_of = '' AND collected_at >= {:from} AND collected_at < {:to} AND title NOT LIKE '定义样例%'",
	}[what]
	var n int
	if err := env.App.DB().NewQuery(q).Bind(p).Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStatsTellTheReportsShape builds a fixture of the case report's
// shape — 74 communities; in March 2025 412 collection meetings, 856
// problems and 153 suggestions; 193 applications submitted and accepted,
// 32 for four-teams leaders and 161 for district-managed chiefs — and
// checks the month's figures and bulletin say exactly that.
func TestStatsTellTheReportsShape(t *testing.T) {
	env := testenv.New(t)
	orgs, _ := env.App.FindCachedCollectionByNameOrId(collections.Orgs)
	var existing int
	if err := env.App.DB().NewQuery("SELECT COUNT(*) FROM orgs WHERE kind IN ('community', 'cooperative')").Row(&existing); err != nil {
		t.Fatal(err)
	}
	for i := existing; i < 74; i++ {
		o := core.NewRecord(orgs)
		o.Load(map[string]any{"name": fmt.Sprintf("第%d社区", i+1), "kind": "community", "parent": env.Org("DL").Id})
		if err := env.SaveAsSystem(o); err != nil {
			t.Fatal(err)
		}
	}
	// the collection work, by the dates that define it (their own saves
	// are no figure's event)
	day := func(i int) string {
		return sh(2025, 3, 1+i%31, 9+i%8).UTC().Format("2006-01-02 15:04:05.000Z")
	}
	community := env.Org("DL-HC").Id
	for i := 0; i < 412; i++ {
		if _, err := env.App.DB().Insert(collections.Meetings, map[string]any{"id": fmt.Sprintf("shape%010d", i), "community": community,
			"kind": "wuju", "held_on": day(i), "title": "恳谈会", "created": day(i), "updated": day(i)}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 856+153; i++ {
		kind := "problem"
		if i >= 856 {
			kind = "suggestion"
		}
		if _, err := env.App.DB().Insert(collections.Issues, map[string]any{"id": fmt.Sprintf("shape%010d", i), "community": community,
			"kind": kind, "title": "问题", "source": "door_to_door", "status": "open", "collected_at": day(i), "created": day(i), "updated": day(i)}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	// the applications with the audit trail the workflow writes (rows, not
	// moves: each move through the hooks would print archive PDFs; the
	// moves themselves are TestEachFigureFromItsEvent's)
	for i := 0; i < 193; i++ {
		leader := env.User("chief@yuetan.example").Id
		if i < 32 {
			leader = env.User("secretary@yuetan.example").Id
		}
		id := fmt.Sprintf("shape%010d", i)
		at := func(h int) string { return sh(2025, 3, 3+i%25, 9+h).UTC().Format("2006-01-02 15:04:05.000Z") }
		if _, err := env.App.DB().Insert(collections.Applications, map[string]any{"id": id, "community": community, "street": env.Org("DL").Id,
			"applicant_kind": "community", "subject": fmt.Sprintf("约谈事项%d", i+1), "category": "other_hot", "target_leader": leader,
			"assigned_leader": leader, "status": "accepted", "submitted_at": at(1), "forwarded_at": at(2), "reviewed_at": at(3), "accepted_at": at(3),
			"issues": "[]", "created": at(0), "updated": at(3)}).Execute(); err != nil {
			t.Fatal(err)
		}
		for h, to := range []string{"", workflow.StatusSubmitted, workflow.StatusForwarded, workflow.StatusAccepted} {
			if to == "" {
				continue
			}
			if _, err := env.App.DB().Insert(collections.Events, map[string]any{"id": fmt.Sprintf("shape%d%09d", h, i), "application": id,
				"action": to, "to_status": to, "actor_name": "系统", "created": at(h), "updated": at(h)}).Execute(); err != nil {
				t.Fatal(err)
			}
		}
	}
	f := env.Do("GET", "/api/stats?from=2025-03-01&to=2025-03-31", "sup@yuetan.example", nil).JSON(t)
	acc := f["accepted"].(map[string]any)
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"communities", f["communities"], 74.0}, {"meetings", f["meetings"], 412.0}, {"problems", f["problems"], 856.0},
		{"suggestions", f["suggestions"], 153.0}, {"applications", f["applications"], 193.0},
		{"accepted", acc["total"], 193.0}, {"four teams", acc["four_teams"], 32.0}, {"district chiefs", acc["district_chief"], 161.0},
	} {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	month, _ := forms.ParseMonth("2025-03")
	figures, err := stats.Compute(env.App, deadlines.Calendar(env.App), stats.Query{From: month, To: month.AddDate(0, 1, 0), District: true, Work: true}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	d := forms.BulletinData(figures, month, "督查室", "全区")
	for _, s := range []string{"全区74个社区", "共召开恳谈会412场，收集问题856个、意见建议153条", "收到群众约谈申请193件，受理193件（区四套班子领导32件，区管党政正职161件）"} {
		if !strings.Contains(d.Summary, s) {
			t.Errorf("the bulletin's summary lacks %q: %s", s, d.Summary)
		}
	}
}
