package demo

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/workflow"
)

// A story walks one application through the workflow as the demo users,
// through the same hooks as every other write, on past dates so deadlines,
// reminders and overdue matters all show.
type story struct {
	staff, community, subject, category, leader, form string
	issues                                            []string
	residents                                         bool
	urgent, litigation                                bool
	startDaysAgo                                      int
	steps                                             []string // actions after creation, see (*seeder).walk
	unit, handler                                     string
	handlingDays                                      int // handling deadline after the talk, in days
	satisfaction                                      string
	signers                                           int
}

var stories = []story{
	{staff: "staff@yuetan.example", community: "DL-HC", subject: "划船社区低洼地排涝改造", category: workflow.CategoryCommunityBuilding,
		leader: "secretary@yuetan.example", form: "visit", issues: []string{"小区低洼地排涝改造", "电表箱抬高"}, startDaysAgo: 40,
		steps: []string{"submit", "forward", "accept", "notify", "schedule", "assign", "feedback", "approve", "reply", "close"},
		unit:  "JD-CG", handler: "handler@yuetan.example", handlingDays: 20, satisfaction: "satisfied"},
	{staff: "staff2@yuetan.example", community: "BH-DH", subject: "东海花园社区基层卫生服务", category: workflow.CategoryOtherHot,
		leader: "mayor@yuetan.example", form: "group", issues: []string{"基层卫生服务站就医不便"}, startDaysAgo: 30,
		steps: []string{"submit", "forward", "accept", "notify", "schedule", "on_spot", "close"}},
	{staff: "staff4@yuetan.example", community: "DL-DLF", subject: "东柳坊小区物业管理问题", category: workflow.CategoryCadreConduct,
		leader: "npc@yuetan.example", form: "invite", issues: []string{"物业管理服务不到位"}, startDaysAgo: 35,
		steps: []string{"submit", "forward", "accept", "notify", "schedule", "assign", "feedback", "approve", "reply"},
		unit:  "JD-ZJ", handler: "handler2@yuetan.example", handlingDays: 15, satisfaction: "basically_satisfied"},
	{staff: "staff3@yuetan.example", community: "BH-HL", subject: "黄鹂社区配电箱改造", category: workflow.CategoryCommunityBuilding,
		leader: "chief@yuetan.example", form: "joint", issues: []string{"配电箱老化需改造"}, startDaysAgo: 30,
		steps: []string{"submit", "forward", "accept", "notify", "schedule", "assign"},
		unit:  "JD-JX", handler: "handler3@yuetan.example", handlingDays: 7},
	{staff: "staff@yuetan.example", community: "DL-HC", subject: "划船社区僵尸车清理", category: workflow.CategoryCommunityBuilding,
		leader: "chief2@yuetan.example", form: "visit", issues: []string{"小区僵尸车占用车位"}, residents: true, signers: 7, startDaysAgo: 3},
	{staff: "staff2@yuetan.example", community: "BH-DH", subject: "东海花园周边买菜难", category: workflow.CategoryOtherHot,
		leader: "mayor@yuetan.example", form: "invite", issues: []string{"买菜难"}, startDaysAgo: 4, steps: []string{"submit"}},
	{staff: "staff4@yuetan.example", community: "DL-DLF", subject: "东柳坊小区夜间停车秩序", category: workflow.CategoryCommunityBuilding,
		leader: "chief2@yuetan.example", form: "visit", issues: []string{"小区停车难"}, startDaysAgo: 12, steps: []string{"submit", "street_resolve", "close"}},
	{staff: "staff@yuetan.example", community: "DL-HC", subject: "中塘河划船段河道清淤", category: workflow.CategoryCommunityBuilding,
		leader: "secretary@yuetan.example", form: "visit", issues: []string{"中塘河河道淤积"}, urgent: true, startDaysAgo: 2, steps: []string{"submit", "forward"}},
	{staff: "staff3@yuetan.example", community: "BH-HL", subject: "黄鹂港河道清淤", category: workflow.CategoryCommunityBuilding,
		leader: "chief2@yuetan.example", form: "joint", issues: []string{"河道清淤"}, startDaysAgo: 9, steps: []string{"submit", "forward", "accept"}},
	{staff: "staff2@yuetan.example", community: "BH-DH", subject: "东海花园小区门禁系统维修", category: workflow.CategoryCommunityBuilding,
		leader: "chief@yuetan.example", form: "individual", issues: []string{"小区门禁系统故障"}, startDaysAgo: 6, steps: []string{"submit", "forward", "accept", "notify"}},
	{staff: "staff4@yuetan.example", community: "DL-DLF", subject: "东柳坊小区违章搭建纠纷", category: workflow.CategoryOtherHot,
		leader: "mayor@yuetan.example", form: "invite", issues: []string{"违章搭建"}, litigation: true, startDaysAgo: 20, steps: []string{"submit", "forward", "decline"}},
	{staff: "staff@yuetan.example", community: "DL-HC", subject: "划船社区变电箱噪音治理", category: workflow.CategoryCommunityBuilding,
		leader: "chief@yuetan.example", form: "visit", issues: []string{"变电箱噪音"}, startDaysAgo: 15, steps: []string{"submit", "forward", "accept", "notify", "schedule"}},
	{staff: "staff3@yuetan.example", community: "BH-HL", subject: "黄鹂社区雨污管道疏通", category: workflow.CategoryCommunityBuilding,
		leader: "chief2@yuetan.example", form: "visit", issues: []string{"雨污管道堵塞"}, startDaysAgo: 25,
		steps: []string{"submit", "forward", "accept", "notify", "schedule", "assign", "feedback"},
		unit:  "JD-CG", handler: "handler@yuetan.example", handlingDays: 20},
	{staff: "staff2@yuetan.example", community: "BH-DH", subject: "利用闲置用房建设社区食堂", category: workflow.CategoryPartyGovWork,
		leader: "mayor@yuetan.example", form: "group", issues: []string{"建设社区食堂"}, startDaysAgo: 1},
	{staff: "staff@yuetan.example", community: "DL-HC", subject: "社区增设老年食堂的建议", category: workflow.CategoryPartyGovWork,
		leader: "secretary@yuetan.example", form: "group", issues: []string{"增设老年食堂"}, startDaysAgo: 18,
		steps: []string{"submit", "forward", "accept", "notify", "schedule", "on_spot"}},
}

// seedStories walks every story.
func (s *seeder) seedStories() error {
	for _, st := range stories {
		if err := s.walk(st, s.clock.plan(st)); err != nil {
			return fmt.Errorf("story %s: %w", st.subject, err)
		}
	}
	return nil
}

// timeline is when a story's records are written: the draft, each step,
// each co-signature, and the talk as arranged.
type timeline struct {
	created    time.Time
	steps      []time.Time // one per story step
	signatures []time.Time
	talk       time.Time // the agreed time of the talk (zero without one)
}

// last is the timeline's latest moment.
func (tl timeline) last() time.Time {
	out := tl.created
	for _, ts := range [][]time.Time{tl.steps, tl.signatures} {
		for _, t := range ts {
			if t.After(out) {
				out = t
			}
		}
	}
	return out
}

// plan dates a story as the offices would work it, from about startDaysAgo
// on: each move on a later working day in office hours; the talk two
// working days after it was arranged, at 09:30 or 14:30, recorded when it
// has been held; the unit's feedback some working days after the talk.
// A story that would reach past now starts a working day earlier.
func (c clock) plan(st story) timeline {
	start := c.daysAgo(st.startDaysAgo)
	for {
		tl := c.planFrom(st, start)
		if tl.last().Before(c.now.Add(-10 * time.Minute)) {
			return tl
		}
		start = c.before(start)
	}
}

func (c clock) planFrom(st story, start time.Time) timeline {
	seed := func(what string) string { return st.subject + "/" + what }
	tl := timeline{created: c.officeTime(start, seed("create"))}
	day := start
	if st.residents {
		// residents sign over the following days, door to door
		n := max(st.signers, workflow.MinCoSigners)
		if len(st.steps) == 0 {
			n = st.signers
		}
		tl.signatures = c.slots(tl.created.Add(50*time.Minute), n, 35*time.Minute)
		if len(tl.signatures) > 0 {
			day = tl.signatures[len(tl.signatures)-1]
		}
	}
	for _, step := range st.steps {
		var t time.Time
		switch step {
		case "on_spot", "assign":
			// recorded once held: the talk's day, an hour and a half after it began
			t = tl.talk.Add(100 * time.Minute)
		case "feedback":
			day = c.after(day, max(2, min(5, st.handlingDays/3)))
			t = c.officeTime(day, seed(step))
		default:
			day = c.after(day, 1)
			t = c.officeTime(day, seed(step))
		}
		if step == "schedule" {
			hour := 9
			if len(st.subject)%2 == 1 {
				hour = 14
			}
			tl.talk = c.at(c.after(day, 2), hour, 30)
		}
		if step == "on_spot" || step == "assign" {
			day = t
		}
		tl.steps = append(tl.steps, t)
	}
	return tl
}

func (s *seeder) collection(name string) *core.Collection {
	c, _ := s.app.FindCachedCollectionByNameOrId(name)
	return c
}

func (s *seeder) walk(st story, tl timeline) error {
	at := tl.created
	draft := core.NewRecord(s.collection(collections.Applications))
	kind := collections.ApplicantCommunity
	if st.residents {
		kind = collections.ApplicantResidents
	}
	var issueIDs []string
	for _, title := range st.issues {
		if is := s.issues[title]; is != nil {
			issueIDs = append(issueIDs, is.Id)
		}
	}
	first := s.issues[st.issues[0]]
	draft.Load(map[string]any{
		collections.AppCommunity: s.orgs[st.community].Id, collections.AppApplicantKind: kind,
		collections.AppSubject: st.subject, collections.AppCategory: st.category,
		collections.AppDescription: first.GetString(collections.IssueDescription),
		collections.AppRequest:     "请领导听取居民意见，协调解决。", collections.AppAffectedCount: 120,
		collections.AppTargetLeader: s.users[st.leader].Id, collections.AppTalkForm: st.form,
		collections.AppUrgent: st.urgent, collections.AppLitigation: st.litigation, collections.AppIssues: issueIDs,
		collections.AppContactName: s.users[st.staff].GetString(collections.UserName), collections.AppContactPhone: s.users[st.staff].GetString(collections.UserPhone),
	})
	app, err := s.save(st.staff, at, draft)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	for i, signed := range tl.signatures {
		sig := core.NewRecord(s.collection(collections.Signatures))
		sig.Load(map[string]any{
			collections.SigApplication: app.Id, collections.SigName: coSigners[i%len(coSigners)],
			collections.SigAddress: fmt.Sprintf("%d幢%d室", i/4+1, 101+i), collections.SigPhone: fmt.Sprintf("1370000%04d", i),
			collections.SigSignedAt: signed,
		})
		if err := s.app.SaveWithContext(s.as(collectorFor(st.community), signed), sig); err != nil {
			return fmt.Errorf("signature: %w", err)
		}
	}
	street := map[string]string{"DL": "street@yuetan.example", "BH": "street2@yuetan.example"}[Parent(st.community)]
	var talk, fb *core.Record
	for i, step := range st.steps {
		when := tl.steps[i]
		var err error
		switch step {
		case "submit":
			err = s.move(st.staff, app, when, map[string]any{collections.AppStatus: workflow.StatusSubmitted})
		case "forward":
			err = s.move(street, app, when, map[string]any{collections.AppStatus: workflow.StatusForwarded, collections.AppDecisionNote: "街道层面难以解决，报区专门工作小组。"})
		case "street_resolve":
			err = s.move(street, app, when, map[string]any{collections.AppStatus: workflow.StatusStreetResolved, collections.AppDecisionNote: "街道协调城管、物业当即解决。"})
		case "accept":
			err = s.move("wg@yuetan.example", app, when, map[string]any{collections.AppStatus: workflow.StatusAccepted, collections.AppDecisionNote: "经专门工作小组集中会审，同意受理。"})
		case "decline":
			err = s.move("wg@yuetan.example", app, when, map[string]any{collections.AppStatus: workflow.StatusDeclined, collections.AppDecisionNote: "事关涉法涉访，不列入约谈，按一般来信处理并已反馈。"})
		case "notify":
			err = s.move("wg@yuetan.example", app, when, map[string]any{collections.AppStatus: workflow.StatusNotified})
		case "schedule":
			talk = core.NewRecord(s.collection(collections.Talks))
			talk.Load(map[string]any{
				collections.TalkApplication: app.Id, collections.TalkScheduledAt: tl.talk,
				collections.TalkPlace: s.orgs[st.community].GetString(collections.OrgName) + "会议室", collections.TalkForm: st.form,
				collections.TalkParticipants: "居民代表、社区、街道及相关部门负责同志",
			})
			talk, err = s.save(st.leader, when, talk)
		case "on_spot", "assign":
			talk.Set(collections.TalkRecord, "居民反映："+app.GetString(collections.AppDescription))
			talk.Set(collections.TalkHeldAt, tl.talk) // held at the agreed time, recorded afterwards
			talk.Set(collections.TalkRecorder, "约谈办记录员")
			if step == "on_spot" {
				talk.Set(collections.TalkOutcome, workflow.OutcomeOnSpot)
				talk.Set(collections.TalkResponse, "现场办公，当场协调解决。")
			} else {
				talk.Set(collections.TalkOutcome, workflow.OutcomeAssigned)
				talk.Set(collections.TalkResponse, "交由"+s.orgs[st.unit].GetString(collections.OrgName)+"牵头办理，限期办结。")
				talk.Set(collections.TalkHandlingUnit, s.orgs[st.unit].Id)
				talk.Set(collections.TalkResponsible, s.users[st.handler].Id)
				talk.Set(collections.TalkHandlingDue, when.AddDate(0, 0, st.handlingDays))
			}
			talk, err = s.save(st.leader, when, talk)
		case "feedback":
			fb = core.NewRecord(s.collection(collections.Feedback))
			fb.Load(map[string]any{
				collections.FbApplication: app.Id, collections.FbMeasures: "专题研究办理方案，明确责任人和完成时限。",
				collections.FbResult: "已按要求完成整改，居民反映的问题得到解决。",
			})
			fb, err = s.save(st.handler, when, fb)
		case "approve":
			fb.Set(collections.FbLeaderDecision, workflow.DecisionApproved)
			fb.Set(collections.FbLeaderComment, "同意，请向约谈主体反馈。")
			fb, err = s.save(st.leader, when, fb)
		case "reply":
			fb.Set(collections.FbSatisfaction, st.satisfaction)
			fb.Set(collections.FbApplicantComment, "居民对办理结果表示认可。")
			fb, err = s.save(st.staff, when, fb)
		case "close":
			err = s.move("sup@yuetan.example", app, when, map[string]any{collections.AppStatus: workflow.StatusClosed, collections.AppDecisionNote: "办理情况良好，予以销号。"})
		default:
			err = fmt.Errorf("unknown step %q", step)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", step, err)
		}
		if fresh, ferr := s.app.FindRecordById(collections.Applications, app.Id); ferr == nil {
			app = fresh
		}
	}
	return nil
}

// save saves rec as email at when and returns it as stored (ready for
// later updates, which the hooks compare against the stored values).
func (s *seeder) save(email string, when time.Time, rec *core.Record) (*core.Record, error) {
	if err := s.app.SaveWithContext(s.as(email, when), rec); err != nil {
		return nil, err
	}
	return s.app.FindRecordById(rec.Collection().Name, rec.Id)
}

// move saves changes to an application as the demo user email at when.
func (s *seeder) move(email string, app *core.Record, when time.Time, changes map[string]any) error {
	for k, v := range changes {
		app.Set(k, v)
	}
	_, err := s.save(email, when, app)
	return err
}

// Parent returns the parent org code of a demo org code.
func Parent(code string) string {
	for _, o := range Orgs {
		if o.Code == code {
			return o.Parent
		}
	}
	return ""
}

var coSigners = []string{"张建华", "李秀英", "王国庆", "赵桂兰", "钱文明", "孙美玲", "周卫东", "吴丽华", "郑小红", "冯志强", "陈国华", "褚秀兰"}
