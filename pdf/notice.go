package pdf

import (
	"io"
	"time"
)

// Layout of the assignment notice (群众约谈交办通知单).
const (
	noticeTitle    = "群众约谈交办通知单"
	noticeLabelW   = 27.0
	noticeHalfW    = 58.0
	noticeFullW    = contentW - noticeLabelW
	noticeSummaryH = 60.0 // 主要内容
	noticeStampH   = 36.0 // 专门工作小组（盖章）
	noticeRowH     = 10.0
)

// NoticeData is what the assignment notice (《群众约谈交办通知单》) prints.
// The working group fills it after accepting an application and delivers it
// to the leader within 3 working days.
type NoticeData struct {
	Meta
	LeaderName       string    // 被约谈领导
	LeaderTitle      string    // and title
	ApplicantName    string    // 申报主体
	Subject          string    // 约谈事项
	Category         string    // Category* constant; printed as its label
	Summary          string    // 主要内容: the matter in brief; may be empty
	AcceptedAt       time.Time // 受理日期
	DeliveredAt      time.Time // 送达日期; zero leaves it blank
	ScheduleDeadline time.Time // 5 working days after delivery, computed by the caller's calendar; printed "2026年11月30日前"
	IssuedAt         time.Time // date under the working group's stamp; zero leaves it blank
	ReceivedBy       string    // 签收人; "" leaves a line to sign on
	ReceivedAt       time.Time // 签收时间; zero leaves it blank
}

// RenderNotice writes the assignment notice as PDF to w.
func RenderNotice(w io.Writer, d NoticeData) error {
	return render(w, noticeTitle, d.Meta, func(c *doc) {
		c.checkKey("category", categories(), d.Category)
		category, _ := labelOf(categories(), d.Category)

		deadline := date(d.ScheduleDeadline) + "前"
		requirement := "请于" + deadline + "（本通知送达后5个工作日内）与申报主体商定约谈时间、地点和形式，" +
			"或指定分管副职、部门主要负责人约谈；确需延期的，须书面说明理由。" +
			"约谈后请如实填写《群众约谈情况登记表》；交办事项的办理情况，由承办单位填写《群众约谈事项办理情况反馈表》。"
		stamp := para(noticeFullW, "")
		stamp.foot = "专门工作小组（盖章）　　" + date(d.IssuedAt)
		receivedAt := ""
		if !d.ReceivedAt.IsZero() {
			receivedAt = dateTime(d.ReceivedAt)
		}
		receiver := val(noticeHalfW, d.ReceivedBy)

		c.table([]row{
			{cells: []cell{lbl(noticeLabelW, "被约谈领导"), val(noticeFullW, leader(d.LeaderName, d.LeaderTitle))}, minH: noticeRowH},
			{cells: []cell{lbl(noticeLabelW, "申报主体"), val(noticeHalfW, d.ApplicantName),
				lbl(noticeLabelW, "事项类别"), val(noticeHalfW, category)}, minH: noticeRowH},
			{cells: []cell{lbl(noticeLabelW, "约谈事项"), val(noticeFullW, d.Subject)}, minH: noticeRowH},
			{cells: []cell{lbl(noticeLabelW, "主要内容"), para(noticeFullW, d.Summary)}, minH: noticeSummaryH},
			{cells: []cell{lbl(noticeLabelW, "受理日期"), val(noticeHalfW, dateOrBlank(d.AcceptedAt)),
				lbl(noticeLabelW, "送达日期"), val(noticeHalfW, dateOrBlank(d.DeliveredAt))}, minH: noticeRowH},
			{cells: []cell{lbl(noticeLabelW, "商定时限"), {w: noticeFullW, text: deadline, st: stLabel}}, minH: noticeRowH},
			{cells: []cell{lbl(noticeLabelW, "办理要求"), para(noticeFullW, requirement)}},
			{cells: []cell{lbl(noticeLabelW, "交办单位"), stamp}, minH: noticeStampH},
			{cells: []cell{lbl(noticeLabelW, "签收人"), receiver,
				lbl(noticeLabelW, "签收时间"), val(noticeHalfW, receivedAt)}, minH: 14},
		}, nil)
		c.y += 4
		c.paragraph(marginL, contentW, "注：本通知单一式两份，一份交被约谈领导，一份由专门工作小组存档。", stSmall)
	})
}
