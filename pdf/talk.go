package pdf

import (
	"io"
	"time"

	"yuetan/workflow"
)

// Layout of the talk record (群众约谈情况登记表).
const (
	talkTitle   = "群众约谈情况登记表"
	talkLabelW  = 27.0
	talkHalfW   = 58.0
	talkFullW   = contentW - talkLabelW
	talkRowH    = 10.0
	talkPointsH = 62.0 // 群众反映的主要问题
	talkAnswerH = 62.0 // 领导答复及处理意见
	talkSignH   = 22.0 // signature boxes
)

// Outcomes of a talk (处理方式).
const (
	OutcomeOnSpot    = workflow.OutcomeOnSpot    // 现场解决
	OutcomeAssigned  = workflow.OutcomeAssigned  // 交办解决
	OutcomeExplained = workflow.OutcomeExplained // 解释说明
)

func outcomes() []option { return printed(workflow.Outcomes) }

// signLines is the foot of a signature box: a line to sign on and a date.
const signLines = "签字：　　　　　　　\n　　　年　　月　　日"

// notApplicable fills a cell that does not apply (the handling fields of a
// matter not assigned).
const notApplicable = "／"

// TalkData is what the talk record (《群众约谈情况登记表》) prints; the
// leader records the talk in it.
type TalkData struct {
	Meta
	Subject           string    // 约谈事项
	ApplicantName     string    // 申报主体
	HeldAt            time.Time // 约谈时间
	Place             string    // 约谈地点
	TalkForm          string    // Talk* constant
	LeaderName        string    // 约谈领导
	LeaderTitle       string    // and title
	Participants      string    // 参加人员 (residents, departments), free text
	Points            string    // 群众反映的主要问题; any length, flows over pages
	Answer            string    // 领导答复及处理意见; any length, flows over pages
	Outcome           string    // Outcome* constant; "" ticks nothing
	HandlingUnit      string    // 承办单位, when assigned
	ResponsiblePerson string    // 责任人, when assigned
	HandlingDeadline  time.Time // 办理时限, when assigned
	Recorder          string    // 记录人; printed beside the signature line
}

// RenderTalk writes the talk record as PDF to w.
func RenderTalk(w io.Writer, d TalkData) error {
	return render(w, talkTitle, d.Meta, func(c *doc) {
		c.checkKey("talk form", talkForms(), d.TalkForm)
		c.checkKey("outcome", outcomes(), d.Outcome)

		unit, person, deadline := d.HandlingUnit, d.ResponsiblePerson, dateOrBlank(d.HandlingDeadline)
		if d.Outcome != "" && d.Outcome != OutcomeAssigned {
			unit, person, deadline = notApplicable, notApplicable, notApplicable
		}
		recorder := para(talkHalfW, d.Recorder)
		recorder.foot = signLines
		leaderSign := para(talkHalfW, d.LeaderName)
		leaderSign.foot = signLines
		heldAt := ""
		if !d.HeldAt.IsZero() {
			heldAt = dateTime(d.HeldAt)
		}

		c.table([]row{
			{cells: []cell{lbl(talkLabelW, "约谈事项"), val(talkFullW, d.Subject)}, minH: talkRowH},
			{cells: []cell{lbl(talkLabelW, "申报主体"), val(talkHalfW, d.ApplicantName),
				lbl(talkLabelW, "约谈时间"), val(talkHalfW, heldAt)}, minH: talkRowH},
			{cells: []cell{lbl(talkLabelW, "约谈地点"), val(talkFullW, d.Place)}, minH: talkRowH},
			{cells: []cell{lbl(talkLabelW, "约谈形式"), c.choices(talkFullW, talkForms(), d.TalkForm)}},
			{cells: []cell{lbl(talkLabelW, "约谈领导"), val(talkFullW, leader(d.LeaderName, d.LeaderTitle))}, minH: talkRowH},
			{cells: []cell{lbl(talkLabelW, "参加人员"), para(talkFullW, d.Participants)}, minH: talkRowH},
			{cells: []cell{lbl(talkLabelW, "群众反映的\n主要问题"), para(talkFullW, d.Points)}, minH: talkPointsH},
			{cells: []cell{lbl(talkLabelW, "领导答复及\n处理意见"), para(talkFullW, d.Answer)}, minH: talkAnswerH},
			{cells: []cell{lbl(talkLabelW, "处理方式"), c.choices(talkFullW, outcomes(), d.Outcome)}},
			{cells: []cell{lbl(talkLabelW, "承办单位"), val(talkHalfW, unit),
				lbl(talkLabelW, "责任人"), val(talkHalfW, person)}, minH: talkRowH},
			{cells: []cell{lbl(talkLabelW, "办理时限"), val(talkFullW, deadline)}, minH: talkRowH},
			{cells: []cell{lbl(talkLabelW, "记录人"), recorder,
				lbl(talkLabelW, "约谈领导"), leaderSign}, minH: talkSignH, keep: true},
		}, nil)
	})
}
