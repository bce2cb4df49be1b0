package pdf

import (
	"fmt"
	"io"
	"strings"
	"time"

	"yuetan/workflow"
)

// Layout of the handling feedback form (群众约谈事项办理情况反馈表).
const (
	feedbackTitle     = "群众约谈事项办理情况反馈表"
	feedbackLabelW    = 27.0
	feedbackHalfW     = 58.0
	feedbackFullW     = contentW - feedbackLabelW
	feedbackRowH      = 10.0
	feedbackMeasuresH = 52.0 // 办理措施
	feedbackResultH   = 42.0 // 办理结果
	feedbackSignH     = 24.0 // signature boxes
)

// Satisfaction of the applicant with the result (满意度).
const (
	SatisfactionSatisfied    = workflow.SatisfactionSatisfied    // 满意
	SatisfactionBasically    = workflow.SatisfactionBasically    // 基本满意
	SatisfactionDissatisfied = workflow.SatisfactionDissatisfied // 不满意
)

func satisfactions() []option { return printed(workflow.Satisfactions) }

// FeedbackData is what the handling feedback form
// (《群众约谈事项办理情况反馈表》) prints: the handling unit reports, the
// leader approves, the applicant says whether it is satisfied.
type FeedbackData struct {
	Meta
	Subject           string    // 约谈事项
	ApplicantName     string    // 申报主体
	LeaderName        string    // 约谈领导
	LeaderTitle       string    // and title
	Unit              string    // 承办单位
	ResponsiblePerson string    // 责任人
	AssignedAt        time.Time // 交办日期
	Deadline          time.Time // 办理时限
	CompletedAt       time.Time // 办结日期; zero leaves it blank
	Measures          string    // 办理措施; any length, flows over pages
	Result            string    // 办理结果; any length, flows over pages
	UnitHead          Opinion   // 承办单位负责人签字（盖章）; Text is an optional remark
	LeaderApproval    Opinion   // 领导审核意见 and signature
	RepliedAt         time.Time // 答复申报主体日期; zero leaves it blank
	Satisfaction      string    // Satisfaction* constant; "" ticks nothing
	Applicant         Opinion   // 申报主体意见: comment (Text) and who signed
	Proof             []string  // 办理佐证: the names of the photos and documents filed; none leaves the row out
}

// RenderFeedback writes the handling feedback form as PDF to w.
func RenderFeedback(w io.Writer, d FeedbackData) error {
	return render(w, feedbackTitle, d.Meta, func(c *doc) {
		c.checkKey("satisfaction", satisfactions(), d.Satisfaction)

		box := func(label string, o Opinion, who string, stamp bool) row {
			b := para(feedbackFullW, o.Text)
			b.foot = signFoot(who, o.Signer, stamp, o.Date)
			return row{cells: []cell{lbl(feedbackLabelW, label), b}, minH: feedbackSignH}
		}

		rows := []row{
			{cells: []cell{lbl(feedbackLabelW, "约谈事项"), val(feedbackFullW, d.Subject)}, minH: feedbackRowH},
			{cells: []cell{lbl(feedbackLabelW, "申报主体"), val(feedbackHalfW, d.ApplicantName),
				lbl(feedbackLabelW, "约谈领导"), val(feedbackHalfW, leader(d.LeaderName, d.LeaderTitle))}, minH: feedbackRowH},
			{cells: []cell{lbl(feedbackLabelW, "承办单位"), val(feedbackHalfW, d.Unit),
				lbl(feedbackLabelW, "责任人"), val(feedbackHalfW, d.ResponsiblePerson)}, minH: feedbackRowH},
			{cells: []cell{lbl(feedbackLabelW, "交办日期"), val(feedbackHalfW, dateOrBlank(d.AssignedAt)),
				lbl(feedbackLabelW, "办理时限"), val(feedbackHalfW, dateOrBlank(d.Deadline))}, minH: feedbackRowH},
			{cells: []cell{lbl(feedbackLabelW, "办结日期"), val(feedbackHalfW, dateOrBlank(d.CompletedAt)),
				lbl(feedbackLabelW, "答复日期"), val(feedbackHalfW, dateOrBlank(d.RepliedAt))}, minH: feedbackRowH},
			{cells: []cell{lbl(feedbackLabelW, "办理措施"), para(feedbackFullW, d.Measures)}, minH: feedbackMeasuresH},
			{cells: []cell{lbl(feedbackLabelW, "办理结果"), para(feedbackFullW, d.Result)}, minH: feedbackResultH},
		}
		if len(d.Proof) > 0 {
			rows = append(rows, row{cells: []cell{lbl(feedbackLabelW, "办理佐证"),
				para(feedbackFullW, fmt.Sprintf("共%d件：%s", len(d.Proof), strings.Join(d.Proof, "；")))}, minH: feedbackRowH})
		}
		rows = append(rows,
			box("承办单位\n负责人", d.UnitHead, "负责人签字", true),
			box("领导审核意见", d.LeaderApproval, "领导签字", false),
			row{cells: []cell{lbl(feedbackLabelW, "满意度"), c.choices(feedbackFullW, satisfactions(), d.Satisfaction)}},
			box("申报主体意见", d.Applicant, "申报主体签字", false),
		)
		c.table(rows, nil)
	})
}
