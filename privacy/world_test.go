package privacy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/workflow"
)

// The probing accounts (see demo.Accounts). The records of world are in the
// scope of 划船社区 (DL-HC), 东柳街道 (DL), 周明远 (secretary) and 区城管局
// (JD-CG); a second community (BH-DH) holds what nobody there may see.
const (
	guest     = ""
	grid      = "grid@yuetan.example"
	staff     = "staff@yuetan.example"
	street    = "street@yuetan.example"
	wg        = "wg@yuetan.example"
	secretary = "secretary@yuetan.example"
	handler   = "handler@yuetan.example"
	sup       = "sup@yuetan.example"
)

// everyone is every probing account, the guest first.
var everyone = []string{guest, grid, staff, street, wg, secretary, handler, sup}

// districtOffices see every personal field everywhere (but e-mails).
var districtOffices = []string{wg, sup}

// Residents, co-signers and contacts of world.
const (
	nameA, phoneA    = "张秘密", "13955550001" // issue A, in application A (DL-HC)
	nameB, phoneB    = "王秘密", "13955550009" // issue B, in application B (DL-HC)
	nameX, phoneX    = "赵外区", "13955550003" // issue X, another community (BH-DH)
	nobody           = "查无此人"
	sigPhoneOwn      = "13700000009" // co-signer of the DL-HC draft
	sigPhoneOther    = "13700000008" // co-signer of the BH-DH draft
	draftContact     = "13600000077" // contact of a draft naming the secretary (he may not see it)
	draftContactName = "草稿联系人"
	staffPhone       = "13800000003" // 陈静, who collected issue A
	handler2Phone    = "13800000016" // 朱琳, 区住建局 (JD-ZJ)
	secretaryPhone   = "13800000010"
	wrongPhoneGuess  = "13800000099"
)

// world is the data the attacks probe.
type world struct {
	env                          *testenv.Env
	issueA, issueB, issueX       *core.Record
	appA, appB, draft, draftX    *core.Record
	draftForSecretary            *core.Record
	talk, feedback, event, super *core.Record
}

func newWorld(t *testing.T) *world {
	t.Helper()
	env := testenv.New(t)
	w := &world{env: env}
	save := func(coll string, data map[string]any) *core.Record {
		t.Helper()
		c, err := env.App.FindCachedCollectionByNameOrId(coll)
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(c)
		r.Load(data)
		if err := env.SaveAsSystem(r); err != nil {
			t.Fatalf("world %s: %v", coll, err)
		}
		return r
	}
	hc, dh := env.Org("DL-HC").Id, env.Org("BH-DH").Id
	dl, bh, cg := env.Org("DL").Id, env.Org("BH").Id, env.Org("JD-CG").Id
	sec := env.User(secretary).Id
	issue := func(community, name, phone string) *core.Record {
		return save(collections.Issues, map[string]any{
			collections.IssueCommunity: community, collections.IssueKind: "problem", collections.IssueTitle: "隐私测试问题",
			collections.IssueSource: "door_to_door", collections.IssueStatus: collections.IssueOpen,
			collections.IssueResidentName: name, collections.IssueResidentPhone: phone,
			collections.IssueCollectedBy: env.User(staff).Id,
		})
	}
	w.issueA, w.issueB, w.issueX = issue(hc, nameA, phoneA), issue(hc, nameB, phoneB), issue(dh, nameX, phoneX)
	app := func(is *core.Record, contact string) *core.Record {
		return save(collections.Applications, map[string]any{
			collections.AppCommunity: hc, collections.AppStreet: dl, collections.AppApplicantKind: collections.ApplicantCommunity,
			collections.AppSubject: "隐私测试事项", collections.AppCategory: workflow.CategoryCommunityBuilding,
			collections.AppTargetLeader: sec, collections.AppAssignedLeader: sec, collections.AppHandlingUnit: cg,
			collections.AppStatus: workflow.StatusInHandling, collections.AppTalkForm: "visit",
			collections.AppIssues: []string{is.Id}, collections.AppContactName: "联系人", collections.AppContactPhone: contact,
		})
	}
	w.appA, w.appB = app(w.issueA, "13600000001"), app(w.issueB, "13600000002")
	for is, a := range map[*core.Record]*core.Record{w.issueA: w.appA, w.issueB: w.appB} {
		is.Set(collections.IssueApplication, a.Id)
		is.Set(collections.IssueStatus, collections.IssueInApplication)
		if err := env.SaveAsSystem(is); err != nil {
			t.Fatal(err)
		}
	}
	draft := func(community, contact, contactName string) *core.Record {
		return save(collections.Applications, map[string]any{
			collections.AppCommunity: community, collections.AppApplicantKind: collections.ApplicantResidents,
			collections.AppSubject: "隐私测试联名草稿", collections.AppCategory: workflow.CategoryOtherHot,
			collections.AppTargetLeader: sec, collections.AppStatus: workflow.StatusDraft,
			collections.AppContactName: contactName, collections.AppContactPhone: contact,
		})
	}
	w.draft, w.draftX = draft(hc, "13600000003", "联名代表"), draft(dh, "13600000004", "联名代表")
	w.draftForSecretary = draft(hc, draftContact, draftContactName)
	// returned by the street with its internal note (退回社区)
	w.draftForSecretary.Set(collections.AppDecisionNote, "街道退回：材料不全，涉及信访")
	if err := env.SaveAsSystem(w.draftForSecretary); err != nil {
		t.Fatal(err)
	}
	sig := func(application, phone string) {
		save(collections.Signatures, map[string]any{
			collections.SigApplication: application, collections.SigName: "联名居民",
			collections.SigAddress: "3幢101室", collections.SigPhone: phone,
		})
	}
	sig(w.draft.Id, sigPhoneOwn)
	sig(w.draftX.Id, sigPhoneOther)
	w.talk = save(collections.Talks, map[string]any{
		collections.TalkApplication: w.appA.Id, collections.TalkLeader: sec, collections.TalkScheduledAt: time.Now(),
		collections.TalkPlace: "社区会议室", collections.TalkForm: "visit", collections.TalkHandlingUnit: cg,
	})
	w.feedback = save(collections.Feedback, map[string]any{
		collections.FbApplication: w.appA.Id, collections.FbTalk: w.talk.Id, collections.FbUnit: cg, collections.FbResult: "已办结",
	})
	w.event = save(collections.Events, map[string]any{
		collections.EvApplication: w.appA.Id, collections.EvAction: "privacy_test",
	})
	w.super = save(collections.Supervisions, map[string]any{
		collections.SupApplication: w.appA.Id, collections.SupKind: collections.SupCriticism, collections.SupNote: "隐私测试督办",
	})
	_ = bh
	return w
}

// observation is what a caller sees of one list request.
type observation struct {
	Status  int
	Total   int
	IDs     string // in the order given
	Code    string // the error code of a refused filter or sort
	Message string
}

func (o observation) String() string {
	if o.Status != http.StatusOK {
		return fmt.Sprintf("%d %s", o.Status, o.Code)
	}
	return fmt.Sprintf("%d total=%d [%s]", o.Status, o.Total, o.IDs)
}

// refused reports whether the request was refused for its filter or sort:
// by the guard, or by PocketBase's own refusal of @collection and @request
// fields to anyone but superusers (a list answers 403 for nothing else;
// its English message is put in Chinese by the error middleware).
func (o observation) refused() bool {
	return (o.Status == http.StatusForbidden && o.Code == "personal_field") ||
		(o.Status == http.StatusBadRequest && (o.Code == "too_costly" || o.Code == "all_match")) ||
		(o.Status == http.StatusForbidden && o.Code == "" && o.Message != "")
}

// list runs a list request on collection with the query parameters as who.
func (w *world) list(who, collection string, params url.Values) observation {
	w.env.T.Helper()
	res := w.env.Do(http.MethodGet, "/api/collections/"+collection+"/records?"+params.Encode(), who, nil)
	o := observation{Status: res.Status}
	var body struct {
		Message    string           `json:"message"`
		TotalItems int              `json:"totalItems"`
		Items      []map[string]any `json:"items"`
		Data       map[string]struct {
			Code string `json:"code"`
		} `json:"data"`
	}
	_ = json.Unmarshal(res.Body, &body)
	o.Total, o.Message = body.TotalItems, body.Message
	ids := make([]string, len(body.Items))
	for i, it := range body.Items {
		ids[i] = fmt.Sprint(it["id"])
	}
	o.IDs = strings.Join(ids, ",")
	for _, d := range body.Data {
		o.Code = d.Code
	}
	return o
}
