package testenv

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/workflow"
)

// Scope is a pair of records of one collection: one inside the probing
// users' scope (划船社区, 东柳街道, 周明远, 区城管局) and one outside it
// (东海花园社区, 白鹤街道, 许文华, 区住建局).
type Scope struct{ Own, Other *core.Record }

// Fixture holds one in-scope and one out-of-scope record per collection,
// written directly by the system (no actor), in the states the access
// matrix probes.
type Fixture struct {
	Orgs, Users, CalendarDays, Meetings, Issues, Applications, Drafts, Signatures,
	Talks, Feedback, Supervisions, Events Scope
}

// Fixture creates the access-matrix records.
func (e *Env) Fixture() *Fixture {
	e.T.Helper()
	f := &Fixture{}
	now := time.Now()
	save := func(coll string, data map[string]any) *core.Record {
		c, err := e.App.FindCachedCollectionByNameOrId(coll)
		if err != nil {
			e.T.Fatal(err)
		}
		r := core.NewRecord(c)
		for k, v := range data {
			r.Set(k, v)
		}
		if err := e.SaveAsSystem(r); err != nil {
			e.T.Fatalf("fixture %s: %v", coll, err)
		}
		return r
	}
	hc, dh := e.Org("DL-HC").Id, e.Org("BH-DH").Id
	dl, bh := e.Org("DL").Id, e.Org("BH").Id
	cg, zj := e.Org("JD-CG").Id, e.Org("JD-ZJ").Id
	sec, mayor := e.User("secretary@yuetan.example").Id, e.User("mayor@yuetan.example").Id
	f.Orgs = Scope{e.Org("DL-HC"), e.Org("BH-DH")}
	f.Users = Scope{e.User("grid@yuetan.example"), e.User("grid2@yuetan.example")}
	cal, err := e.App.FindFirstRecordByData(collections.CalendarDays, collections.CalendarDate, "2026-10-01")
	if err != nil {
		e.T.Fatal(err)
	}
	f.CalendarDays = Scope{cal, cal}
	meeting := func(community string) *core.Record {
		return save(collections.Meetings, map[string]any{
			collections.MeetingCommunity: community, collections.MeetingKind: "wuju",
			collections.MeetingHeldOn: now, collections.MeetingTitle: "矩阵测试恳谈会",
		})
	}
	f.Meetings = Scope{meeting(hc), meeting(dh)}
	app := func(community, street, leader, unit string) *core.Record {
		return save(collections.Applications, map[string]any{
			collections.AppCommunity: community, collections.AppStreet: street,
			collections.AppApplicantKind: collections.ApplicantCommunity,
			collections.AppSubject:       "矩阵测试事项", collections.AppCategory: workflow.CategoryCommunityBuilding,
			collections.AppTargetLeader: leader, collections.AppAssignedLeader: leader,
			collections.AppHandlingUnit: unit, collections.AppStatus: workflow.StatusInHandling,
			collections.AppTalkForm: "visit",
		})
	}
	f.Applications = Scope{app(hc, dl, sec, cg), app(dh, bh, mayor, zj)}
	draft := func(community, leader string) *core.Record {
		return save(collections.Applications, map[string]any{
			collections.AppCommunity: community, collections.AppApplicantKind: collections.ApplicantResidents,
			collections.AppSubject: "矩阵测试联名草稿", collections.AppCategory: workflow.CategoryOtherHot,
			collections.AppTargetLeader: leader, collections.AppStatus: workflow.StatusDraft,
		})
	}
	f.Drafts = Scope{draft(hc, sec), draft(dh, mayor)}
	issue := func(community, application string) *core.Record {
		return save(collections.Issues, map[string]any{
			collections.IssueCommunity: community, collections.IssueKind: "problem",
			collections.IssueTitle: "矩阵测试问题", collections.IssueSource: "door_to_door",
			collections.IssueResidentName: "测试居民", collections.IssueResidentPhone: "13912345678",
			collections.IssueApplication: application, collections.IssueStatus: collections.IssueInApplication,
		})
	}
	f.Issues = Scope{issue(hc, f.Applications.Own.Id), issue(dh, f.Applications.Other.Id)}
	sig := func(application string) *core.Record {
		return save(collections.Signatures, map[string]any{
			collections.SigApplication: application, collections.SigName: "联名居民",
			collections.SigAddress: "某幢某室", collections.SigPhone: "13700000000",
		})
	}
	f.Signatures = Scope{sig(f.Drafts.Own.Id), sig(f.Drafts.Other.Id)}
	talk := func(application, leader, unit string) *core.Record {
		return save(collections.Talks, map[string]any{
			collections.TalkApplication: application, collections.TalkLeader: leader,
			collections.TalkScheduledAt: now, collections.TalkPlace: "社区会议室", collections.TalkForm: "visit",
			collections.TalkOutcome: workflow.OutcomeAssigned, collections.TalkHandlingUnit: unit,
		})
	}
	f.Talks = Scope{talk(f.Applications.Own.Id, sec, cg), talk(f.Applications.Other.Id, mayor, zj)}
	fb := func(application, talk, unit string) *core.Record {
		return save(collections.Feedback, map[string]any{
			collections.FbApplication: application, collections.FbTalk: talk, collections.FbUnit: unit,
			collections.FbResult: "已办结", collections.FbLeaderDecision: workflow.DecisionPending,
		})
	}
	f.Feedback = Scope{fb(f.Applications.Own.Id, f.Talks.Own.Id, cg), fb(f.Applications.Other.Id, f.Talks.Other.Id, zj)}
	sup := func(application string) *core.Record {
		return save(collections.Supervisions, map[string]any{
			collections.SupApplication: application, collections.SupKind: collections.SupCriticism,
			collections.SupNote: "矩阵测试督办",
		})
	}
	f.Supervisions = Scope{sup(f.Applications.Own.Id), sup(f.Applications.Other.Id)}
	ev := func(application string) *core.Record {
		return save(collections.Events, map[string]any{
			collections.EvApplication: application, collections.EvAction: "fixture",
			collections.EvRecordCollection: collections.Applications, collections.EvRecordID: application,
		})
	}
	f.Events = Scope{ev(f.Applications.Own.Id), ev(f.Applications.Other.Id)}
	return f
}
