package hooks_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/workdays"
	"yuetan/workflow"
)

// step is one HTTP request of a story, made as a demo user.
type step struct {
	who, method, url string
	body             map[string]any
	want             int
}

func run(t *testing.T, env *testenv.Env, s step) map[string]any {
	t.Helper()
	res := env.Do(s.method, s.url, s.who, s.body)
	if res.Status != s.want {
		t.Fatalf("%s %s as %s: status %d, want %d: %s", s.method, s.url, s.who, res.Status, s.want, res)
	}
	if len(res.Body) == 0 {
		return nil
	}
	return res.JSON(t)
}

const (
	grid      = "grid@yuetan.example"
	staff     = "staff@yuetan.example"
	street    = "street@yuetan.example"
	wg        = "wg@yuetan.example"
	secretary = "secretary@yuetan.example"
	handler   = "handler@yuetan.example"
	sup       = "sup@yuetan.example"
	apps      = "/api/collections/applications/records"
)

// TestSeedStory runs the case report's story end to end over HTTP: 划船社区's
// low-lying drainage goes from application to street, working group, the
// district party secretary, a talk on site, assignment to 城管 with a
// deadline, feedback, approval, reply and 销号 — each step as its role.
func TestSeedStory(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	srv := env.Serve() // the same handler on a real loopback server
	if r, err := http.Get(srv.URL + "/api/health"); err != nil || r.StatusCode != 200 {
		t.Fatalf("loopback server: %v", err)
	}
	hc := env.Org("DL-HC")

	// the grid worker records the problem door to door
	issue := run(t, env, step{grid, "POST", "/api/collections/issues/records", map[string]any{
		"community": hc.Id, "kind": "problem", "title": "低洼地排涝改造", "source": "door_to_door",
		"description": "台风期间小区严重积水", "resident_name": "张建华", "resident_phone": "13900000001",
		"collected_by": env.User(staff).Id, // never trusted
	}, 200})
	if issue["collected_by"] != env.User(grid).Id {
		t.Fatalf("collected_by = %v, want the grid worker", issue["collected_by"])
	}
	// community staff write the application (one matter) and submit it
	app := run(t, env, step{staff, "POST", apps, map[string]any{
		"community": hc.Id, "applicant_kind": "community", "subject": "划船社区低洼地排涝改造",
		"category": workflow.CategoryCommunityBuilding, "description": "去年台风造成小区严重积水。",
		"request": "约谈区委书记，商定排涝改造方案", "target_leader": env.User(secretary).Id,
		"talk_form": "visit", "issues": []string{issue["id"].(string)},
		"serial": "约申〔1999〕第1号", "status": "closed", // never trusted
	}, 200})
	id := app["id"].(string)
	if app["status"] != workflow.StatusDraft || app["serial"] != "" {
		t.Fatalf("new application: status %v serial %v", app["status"], app["serial"])
	}
	year := time.Now().In(workdays.Shanghai).Year()
	var last struct{ N int }
	if err := env.App.DB().NewQuery("SELECT COALESCE(MAX(serial_no), 0) AS n FROM applications WHERE serial_year = {:y}").
		Bind(map[string]any{"y": year}).One(&last); err != nil {
		t.Fatal(err)
	}
	app = run(t, env, step{staff, "PATCH", apps + "/" + id, map[string]any{"status": "submitted"}, 200})
	if app["serial"] != fmt.Sprintf("约申〔%d〕第%d号", year, last.N+1) || app["street"] != env.Org("DL").Id {
		t.Fatalf("submitted: serial %v street %v", app["serial"], app["street"])
	}
	// the street cannot solve it and forwards it
	run(t, env, step{street, "PATCH", apps + "/" + id, map[string]any{"status": "forwarded", "decision_note": "街道层面无法解决，报区专门工作小组"}, 200})
	// the working group accepts it for the secretary and delivers the notice
	app = run(t, env, step{wg, "PATCH", apps + "/" + id, map[string]any{"status": "accepted", "decision_note": "同意受理"}, 200})
	if app["assigned_leader"] != env.User(secretary).Id || app["notice_due"] == "" {
		t.Fatalf("accepted: leader %v notice_due %v", app["assigned_leader"], app["notice_due"])
	}
	app = run(t, env, step{wg, "PATCH", apps + "/" + id, map[string]any{"status": "notified"}, 200})
	if app["schedule_due"] == "" {
		t.Fatal("notified without schedule_due")
	}
	// the secretary schedules a talk on site, holds it, and assigns 城管
	talk := run(t, env, step{secretary, "POST", "/api/collections/talks/records", map[string]any{
		"application": id, "scheduled_at": "2026-12-02 01:30:00.000Z", "place": "划船社区会议室", "form": "visit",
		"leader": env.User("mayor@yuetan.example").Id, // never trusted
	}, 200})
	if talk["leader"] != env.User(secretary).Id {
		t.Fatalf("talk leader %v", talk["leader"])
	}
	due := time.Now().AddDate(0, 1, 0).UTC().Format("2006-01-02 15:04:05.000Z")
	run(t, env, step{secretary, "PATCH", "/api/collections/talks/records/" + talk["id"].(string), map[string]any{
		"participants": "居民代表8人、城管局、街道", "record": "小区低洼，台风积水严重，电表箱被淹。",
		"response": "当场与城管等部门商定：加高中塘河河堤，抬高电表箱。", "outcome": "assigned",
		"handling_unit": env.Org("JD-CG").Id, "responsible": env.User(handler).Id, "handling_due": due,
	}, 200})
	// the handler files feedback; the secretary approves it
	fb := run(t, env, step{handler, "POST", "/api/collections/feedback/records", map[string]any{
		"application": id, "result": "河堤加高施工中，电表箱抬高已完成。", "measures": "城管局牵头，街道配合",
		"unit": env.Org("JD-ZJ").Id, // never trusted
	}, 200})
	if fb["unit"] != env.Org("JD-CG").Id || fb["submitted_by"] != env.User(handler).Id {
		t.Fatalf("feedback unit %v submitted_by %v", fb["unit"], fb["submitted_by"])
	}
	fbURL := "/api/collections/feedback/records/" + fb["id"].(string)
	run(t, env, step{secretary, "PATCH", fbURL, map[string]any{"leader_decision": "approved", "leader_comment": "同意"}, 200})
	// the community replies to the residents and records their satisfaction
	run(t, env, step{staff, "PATCH", fbURL, map[string]any{"satisfaction": "satisfied", "applicant_comment": "居民满意"}, 200})
	// the supervision office closes it out
	app = run(t, env, step{sup, "PATCH", apps + "/" + id, map[string]any{"status": "closed", "decision_note": "办理情况良好，予以销号"}, 200})
	if app["status"] != workflow.StatusClosed {
		t.Fatalf("final status %v", app["status"])
	}

	// the audit trail is complete and in order
	events, err := env.App.FindRecordsByFilter(collections.Events, "application = {:id}", "created,id", 0, 0, map[string]any{"id": id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range events {
		got = append(got, ev.GetString(collections.EvAction)+":"+ev.GetString(collections.EvToStatus)+":"+ev.GetString(collections.EvActorName))
	}
	want := []string{
		"create:draft:陈静", "submit:submitted:陈静", "forward:forwarded:吴强", "accept:accepted:林涛",
		"notify:notified:林涛", "schedule:scheduled:周明远", "assign:in_handling:周明远",
		"submit_feedback:feedback_submitted:马超", "approve_feedback:feedback_approved:周明远",
		"reply:replied:陈静", "close:closed:黄海",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit trail:\n got %v\nwant %v", got, want)
	}
	// the linked issue followed the application
	is, _ := env.App.FindRecordById(collections.Issues, issue["id"].(string))
	if is.GetString(collections.IssueStatus) != collections.IssueClosed || is.GetString(collections.IssueApplication) != id {
		t.Fatalf("issue status %q application %q", is.GetString(collections.IssueStatus), is.GetString(collections.IssueApplication))
	}
	// and a closure supervision row exists
	if n, _ := env.App.CountRecords(collections.Supervisions); n == 0 {
		t.Fatal("no closure supervision row")
	}
}
