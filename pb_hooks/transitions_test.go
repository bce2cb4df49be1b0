package hooks_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/workflow"
)

// prepared is an application put straight into a status by the system,
// with the talk and feedback that status implies.
type prepared struct{ app, talk, feedback *core.Record }

// order is how far along the process each status is.
var order = map[string]int{}

func init() {
	for i, s := range []string{"draft", "submitted", "forwarded", "accepted", "notified", "scheduled", "in_handling", "feedback_submitted", "feedback_approved", "replied"} {
		order[s] = i
	}
}

func prepare(t *testing.T, env *testenv.Env, status string) prepared {
	t.Helper()
	save := func(coll string, data map[string]any) *core.Record {
		c, _ := env.App.FindCachedCollectionByNameOrId(coll)
		r := core.NewRecord(c)
		for k, v := range data {
			r.Set(k, v)
		}
		if err := env.SaveAsSystem(r); err != nil {
			t.Fatalf("prepare %s: %v", coll, err)
		}
		// read it back so Original() holds the stored values, as for any fetched record
		fresh, err := env.App.FindRecordById(coll, r.Id)
		if err != nil {
			t.Fatal(err)
		}
		return fresh
	}
	now := time.Now()
	sec := env.User(secretary).Id
	data := map[string]any{
		"community": env.Org("DL-HC").Id, "applicant_kind": "community", "subject": "测试事项 " + status,
		"category": "community_building", "target_leader": sec, "talk_form": "visit", "status": status,
	}
	if status != "draft" {
		data["street"] = env.Org("DL").Id
		data["submitted_at"] = now
	}
	n, ok := order[status]
	if !ok { // the end states
		n = 0
	}
	if n >= order["accepted"] || status == "resolved" {
		data["assigned_leader"] = sec
		data["accepted_at"] = now
		data["notice_due"] = now.AddDate(0, 0, 5)
	}
	if n >= order["notified"] {
		data["notified_at"] = now
		data["schedule_due"] = now.AddDate(0, 0, 7)
	}
	if n >= order["in_handling"] {
		data["handling_unit"] = env.Org("JD-CG").Id
		data["handling_due"] = now.AddDate(0, 1, 0)
	}
	p := prepared{app: save(collections.Applications, data)}
	if n >= order["scheduled"] {
		talk := map[string]any{"application": p.app.Id, "leader": sec, "scheduled_at": now, "place": "社区", "form": "visit"}
		if n >= order["in_handling"] {
			talk["outcome"] = "assigned"
			talk["held_at"] = now
			talk["handling_unit"] = env.Org("JD-CG").Id
			talk["responsible"] = env.User(handler).Id
		}
		p.talk = save(collections.Talks, talk)
	}
	if n >= order["feedback_submitted"] {
		fb := map[string]any{"application": p.app.Id, "talk": p.talk.Id, "unit": env.Org("JD-CG").Id, "result": "已办结", "leader_decision": "pending"}
		if n >= order["feedback_approved"] {
			fb["leader_decision"] = "approved"
		}
		p.feedback = save(collections.Feedback, fb)
	}
	return p
}

// move is how a transition row is attempted over HTTP.
func move(env *testenv.Env, tr workflow.Transition, p prepared) (method, url string, body map[string]any) {
	later := time.Now().AddDate(0, 0, 20).UTC().Format("2006-01-02 15:04:05.000Z")
	switch tr.Via {
	case workflow.ViaAppCreate:
		return "POST", apps, map[string]any{"community": env.Org("DL-HC").Id, "applicant_kind": "community", "subject": "新事项",
			"category": "other_hot", "target_leader": env.User(secretary).Id}
	case workflow.ViaTalkCreate:
		return "POST", "/api/collections/talks/records", map[string]any{"application": p.app.Id, "scheduled_at": later, "place": "区委", "form": "invite"}
	case workflow.ViaTalkUpdate:
		body = map[string]any{"record": "群众反映", "response": "领导答复", "outcome": "on_spot"}
		if tr.To == workflow.StatusInHandling {
			body = map[string]any{"record": "群众反映", "response": "领导答复", "outcome": "assigned",
				"handling_unit": env.Org("JD-CG").Id, "responsible": env.User(handler).Id, "handling_due": later}
		}
		if p.talk == nil {
			return "PATCH", "/api/collections/talks/records/none", body
		}
		return "PATCH", "/api/collections/talks/records/" + p.talk.Id, body
	case workflow.ViaFeedbackCreate:
		return "POST", "/api/collections/feedback/records", map[string]any{"application": p.app.Id, "result": "已办结"}
	case workflow.ViaFeedbackUpdate:
		switch tr.Action {
		case "approve_feedback":
			body = map[string]any{"leader_decision": "approved"}
		case "return_feedback":
			body = map[string]any{"leader_decision": "returned", "leader_comment": "请补充材料"}
		default:
			body = map[string]any{"satisfaction": "basically_satisfied"}
		}
		if p.feedback == nil {
			return "PATCH", "/api/collections/feedback/records/none", body
		}
		return "PATCH", "/api/collections/feedback/records/" + p.feedback.Id, body
	}
	switch tr.Action {
	case "delegate":
		return "PATCH", apps + "/" + p.app.Id, map[string]any{"assigned_leader": env.User("chief@yuetan.example").Id, "decision_note": "指定区住建局局长接受约谈"}
	case "postpone":
		return "PATCH", apps + "/" + p.app.Id, map[string]any{"schedule_due": later, "postpone_reason": "防汛值班，延期商定"}
	case "acknowledge":
		return "PATCH", apps + "/" + p.app.Id, map[string]any{tr.Fields[0]: later}
	case "request_extension":
		return "PATCH", apps + "/" + p.app.Id, map[string]any{"extension_due": time.Now().AddDate(0, 2, 0).UTC().Format("2006-01-02 15:04:05.000Z"), "extension_reason": "需协调供电部门停电施工"}
	case "approve_extension", "refuse_extension":
		return "PATCH", apps + "/" + p.app.Id, map[string]any{"extension_state": tr.Sets["extension_state"], "decision_note": "审批意见"}
	case "redo":
		return "PATCH", apps + "/" + p.app.Id, map[string]any{"status": tr.To, "decision_note": "群众不满意，重办", "handling_due": later}
	}
	body = map[string]any{"status": tr.To}
	if slices.Contains(tr.Fields, collections.AppDecisionNote) {
		body[collections.AppDecisionNote] = "处理意见"
	}
	return "PATCH", apps + "/" + p.app.Id, body
}

// noop reports whether a PATCH body would change nothing of the record it
// targets (a repeated approval is a harmless no-op, not a move).
func noop(env *testenv.Env, method, url string, body map[string]any) bool {
	if method != "PATCH" {
		return false
	}
	parts := strings.Split(url, "/")
	r, err := env.App.FindRecordById(parts[3], parts[5])
	if err != nil {
		return false
	}
	for k, v := range body {
		if fmt.Sprint(r.Get(k)) != fmt.Sprint(v) {
			return false
		}
	}
	return true
}

// rightActor is the demo user who may make tr on a prepared application;
// wrongOrg the same role outside its scope ("" when the scope is district-wide).
func rightActor(tr workflow.Transition) (right, wrongOrg string) {
	switch tr.Roles[0] {
	case workflow.RoleCommunityStaff:
		return staff, "staff2@yuetan.example"
	case workflow.RoleStreetReviewer:
		return street, "street2@yuetan.example"
	case workflow.RoleWorkingGroup:
		return wg, ""
	case workflow.RoleLeader:
		return secretary, "mayor@yuetan.example"
	case workflow.RoleHandler:
		return handler, "handler2@yuetan.example"
	case workflow.RoleSupervisor:
		return sup, ""
	}
	panic(tr.Roles[0])
}

var roleUser = map[string]string{
	workflow.RoleGridWorker: grid, workflow.RoleCommunityStaff: staff, workflow.RoleStreetReviewer: street,
	workflow.RoleWorkingGroup: wg, workflow.RoleLeader: secretary, workflow.RoleHandler: handler, workflow.RoleSupervisor: sup,
}

func statusOf(t *testing.T, env *testenv.Env, id string) string {
	t.Helper()
	r, err := env.App.FindRecordById(collections.Applications, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.GetString(collections.AppStatus)
}

func eventCount(t *testing.T, env *testenv.Env) int {
	n, err := env.App.CountRecords(collections.Events)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestEveryTransitionOverREST makes each row of the table as its role (it
// works and writes one event), as every other role, as the same role of
// another org, and from a wrong state (all refused, nothing written).
func TestEveryTransitionOverREST(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	for _, tr := range workflow.Table {
		t.Run(tr.Action+"_from_"+tr.From, func(t *testing.T) {
			right, wrongOrg := rightActor(tr)
			attempt := func(who string, p prepared) testenv.Response {
				method, url, body := move(env, tr, p)
				return env.Do(method, url, who, body)
			}
			refused := func(label, who string, p prepared) {
				t.Helper()
				before, events := "", eventCount(t, env)
				if p.app != nil {
					before = statusOf(t, env, p.app.Id)
				}
				res := attempt(who, p)
				if res.Status == http.StatusOK || res.Status == http.StatusNoContent {
					t.Errorf("%s (%s): allowed: %s", label, who, res)
					return
				}
				if res.Status == http.StatusBadRequest && res.JSON(t)["message"] == "" {
					t.Errorf("%s: 400 without a message", label)
				}
				if p.app != nil && statusOf(t, env, p.app.Id) != before {
					t.Errorf("%s: status changed by a refused move", label)
				}
				if eventCount(t, env) != events {
					t.Errorf("%s: event written by a refused move", label)
				}
			}
			// allowed
			p := prepareFor(t, env, tr)
			events := eventCount(t, env)
			if res := attempt(right, p); res.Status != http.StatusOK {
				t.Fatalf("allowed move refused: %d %s", res.Status, res)
			}
			if tr.Via != workflow.ViaAppCreate && statusOf(t, env, p.app.Id) != tr.To {
				t.Fatalf("status %s, want %s", statusOf(t, env, p.app.Id), tr.To)
			}
			if got := eventCount(t, env) - events; got != 1 {
				t.Fatalf("%d events written, want 1", got)
			}
			// every other role
			for role, who := range roleUser {
				if role == tr.Roles[0] || (len(tr.Roles) > 1 && role == tr.Roles[1]) {
					continue
				}
				refused("role "+role, who, prepareFor(t, env, tr))
			}
			// same role, another community / street / leader / unit
			if wrongOrg != "" {
				refused("wrong org", wrongOrg, prepareFor(t, env, tr))
			}
			// wrong state: the same move from every other state
			if tr.Via != workflow.ViaAppCreate {
				for _, s := range workflow.Statuses {
					if s == tr.From || allowedFrom(tr, s) {
						continue
					}
					p := prepare(t, env, s)
					if method, url, body := move(env, tr, p); noop(env, method, url, body) {
						continue
					}
					refused("from "+s, right, p)
				}
			}
		})
	}
}

// prepareFor prepares an application in tr's From status that also meets
// tr's conditions (a pending extension, a dissatisfied reply).
func prepareFor(t *testing.T, env *testenv.Env, tr workflow.Transition) prepared {
	t.Helper()
	p := prepare(t, env, orFirst(tr.From))
	changed := false
	for f, v := range tr.When {
		if v == "" || strings.HasPrefix(v, "!") {
			continue
		}
		p.app.Set(f, v)
		changed = true
		if f == collections.AppExtensionState {
			p.app.Set(collections.AppExtensionDue, time.Now().AddDate(0, 2, 0))
		}
	}
	if changed {
		if err := env.SaveAsSystem(p.app); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func orFirst(s string) string {
	if s == workflow.StatusNew {
		return workflow.StatusDraft
	}
	return s
}

// allowedFrom reports whether the same move (action and target) is also
// allowed from status s (close is allowed from four states).
func allowedFrom(tr workflow.Transition, s string) bool {
	for _, o := range workflow.Table {
		if o.Action == tr.Action && o.From == s {
			return true
		}
	}
	return false
}

// TestTransitionsThroughBatch checks /api/batch runs the same rules: a valid
// move applies with its event; a batch holding one refused move rolls back whole.
func TestTransitionsThroughBatch(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ok := prepare(t, env, "submitted")
	other := prepare(t, env, "submitted")
	req := func(id, status string) map[string]any {
		return map[string]any{"method": "PATCH", "url": "/api/collections/applications/records/" + id,
			"body": map[string]any{"status": status, "decision_note": "批量处理"}}
	}
	events := eventCount(t, env)
	res := env.Do("POST", "/api/batch", street, map[string]any{"requests": []any{req(ok.app.Id, "forwarded")}})
	if res.Status != http.StatusOK {
		t.Fatalf("valid batch: %d %s", res.Status, res)
	}
	if statusOf(t, env, ok.app.Id) != "forwarded" || eventCount(t, env) != events+1 {
		t.Fatalf("valid batch not applied with its event")
	}
	// second request jumps a step: the whole batch is refused
	events = eventCount(t, env)
	res = env.Do("POST", "/api/batch", street, map[string]any{"requests": []any{
		req(other.app.Id, "forwarded"), req(ok.app.Id, "accepted"),
	}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("invalid batch: %d %s", res.Status, res)
	}
	if statusOf(t, env, other.app.Id) != "submitted" || statusOf(t, env, ok.app.Id) != "forwarded" || eventCount(t, env) != events {
		t.Fatal("refused batch left changes behind")
	}
	// the working group may not use batch to skip the notice either
	res = env.Do("POST", "/api/batch", wg, map[string]any{"requests": []any{req(ok.app.Id, "notified")}})
	if res.Status != http.StatusBadRequest {
		t.Fatalf("skipping acceptance in a batch: %d", res.Status)
	}
}

// TestRequirements checks what each move requires besides role and state.
func TestRequirements(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	t.Run("residents need ten distinct co-signers", func(t *testing.T) {
		p := prepare(t, env, "draft")
		p.app.Set(collections.AppApplicantKind, collections.ApplicantResidents)
		if err := env.SaveAsSystem(p.app); err != nil {
			t.Fatal(err)
		}
		sign := func(name string) {
			res := env.Do("POST", "/api/collections/signatures/records", grid, map[string]any{
				"application": p.app.Id, "name": name, "address": "3幢" + name, "phone": "13700000000"})
			if res.Status != 200 {
				t.Fatalf("sign: %s", res)
			}
		}
		for i := 0; i < 9; i++ {
			sign(fmt.Sprintf("居民%d", i))
		}
		sign("居民0") // the same person twice counts once
		res := env.Do("PATCH", apps+"/"+p.app.Id, staff, map[string]any{"status": "submitted"})
		if res.Status != 400 || res.JSON(t)["message"] != "居民联名申请须有10位以上居民签名，目前9位，还差1位居民签名。" {
			t.Fatalf("9 signers: %d %s", res.Status, res)
		}
		sign("居民9")
		if res := env.Do("PATCH", apps+"/"+p.app.Id, staff, map[string]any{"status": "submitted"}); res.Status != 200 {
			t.Fatalf("10 signers: %s", res)
		}
	})
	t.Run("涉法涉访 cannot be accepted, only declined", func(t *testing.T) {
		p := prepare(t, env, "forwarded")
		p.app.Set(collections.AppLitigation, true)
		if err := env.SaveAsSystem(p.app); err != nil {
			t.Fatal(err)
		}
		res := env.Do("PATCH", apps+"/"+p.app.Id, wg, map[string]any{"status": "accepted"})
		if res.Status != 400 || res.JSON(t)["data"].(map[string]any)["litigation_or_petition"] == nil {
			t.Fatalf("accepting 涉法涉访: %d %s", res.Status, res)
		}
		if res := env.Do("PATCH", apps+"/"+p.app.Id, wg, map[string]any{"status": "declined"}); res.Status != 400 {
			t.Fatalf("decline without note: %d", res.Status)
		}
		if res := env.Do("PATCH", apps+"/"+p.app.Id, wg, map[string]any{"status": "declined", "decision_note": "涉法涉访，按一般来信处理并反馈"}); res.Status != 200 {
			t.Fatalf("decline: %s", res)
		}
	})
	t.Run("return to the community needs a note", func(t *testing.T) {
		p := prepare(t, env, "submitted")
		if res := env.Do("PATCH", apps+"/"+p.app.Id, street, map[string]any{"status": "draft"}); res.Status != 400 {
			t.Fatalf("return without note: %d", res.Status)
		}
	})
	t.Run("target must be a leader", func(t *testing.T) {
		res := env.Do("POST", apps, staff, map[string]any{"community": env.Org("DL-HC").Id, "applicant_kind": "community",
			"subject": "x", "category": "other_hot", "target_leader": env.User(handler).Id})
		if res.Status != 400 {
			t.Fatalf("handler as target: %d", res.Status)
		}
	})
	t.Run("postpone needs a reason and a later date", func(t *testing.T) {
		p := prepare(t, env, "notified")
		earlier := time.Now().AddDate(0, 0, 1).UTC().Format("2006-01-02 15:04:05.000Z")
		if res := env.Do("PATCH", apps+"/"+p.app.Id, secretary, map[string]any{"schedule_due": earlier, "postpone_reason": "原因"}); res.Status != 400 {
			t.Fatalf("earlier date: %d", res.Status)
		}
		later := time.Now().AddDate(0, 0, 30).UTC().Format("2006-01-02 15:04:05.000Z")
		if res := env.Do("PATCH", apps+"/"+p.app.Id, secretary, map[string]any{"schedule_due": later}); res.Status != 400 {
			t.Fatalf("no reason: %d", res.Status)
		}
	})
	t.Run("assigned talk needs a unit, its handler and a deadline", func(t *testing.T) {
		p := prepare(t, env, "scheduled")
		later := time.Now().AddDate(0, 0, 20).UTC().Format("2006-01-02 15:04:05.000Z")
		res := env.Do("PATCH", "/api/collections/talks/records/"+p.talk.Id, secretary, map[string]any{
			"record": "r", "response": "x", "outcome": "assigned", "handling_unit": env.Org("JD-CG").Id,
			"responsible": env.User("handler2@yuetan.example").Id, "handling_due": later})
		if res.Status != 400 {
			t.Fatalf("handler of another unit: %d", res.Status)
		}
	})
	t.Run("delegate only to a leader", func(t *testing.T) {
		p := prepare(t, env, "notified")
		if res := env.Do("PATCH", apps+"/"+p.app.Id, secretary, map[string]any{"assigned_leader": env.User(handler).Id}); res.Status != 400 {
			t.Fatalf("delegate to handler: %d", res.Status)
		}
	})
	t.Run("server fields are never taken from the client", func(t *testing.T) {
		p := prepare(t, env, "draft")
		res := env.Do("PATCH", apps+"/"+p.app.Id, staff, map[string]any{"serial": "约申〔2026〕第999号"})
		if res.Status != 400 {
			t.Fatalf("client serial: %d", res.Status)
		}
	})
}
