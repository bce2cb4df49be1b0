package forms

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"yuetan/collections"
	"yuetan/pdf"
	"yuetan/stats"
	"yuetan/workdays"
	"yuetan/workflow"
)

var monthPattern = regexp.MustCompile(`^(\d{4})-(\d{2})$`)

// ParseMonth reads YYYY-MM as the first instant of that month in Shanghai.
func ParseMonth(s string) (time.Time, error) {
	m := monthPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, fmt.Errorf("月份格式应为 YYYY-MM，例如 2026-11")
	}
	year, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	if month < 1 || month > 12 || year < 2000 || year > 2100 {
		return time.Time{}, fmt.Errorf("月份 %s 不存在", s)
	}
	return time.Date(year, time.Month(month), 1, 0, 0, 0, 0, workdays.Shanghai), nil
}

// monthKey is the record id of a month's bulletin in the print register.
func monthKey(month time.Time) string { return month.Format("2006-01") }

// bulletinSerial numbers the bulletins by month: 督通〔2026〕第11期.
func bulletinSerial(month time.Time) string {
	return fmt.Sprintf("督通〔%d〕第%d期", month.Year(), int(month.Month()))
}

// stageNames are the overdue list's 所处环节, by deadline field.
var stageNames = map[string]string{
	workflow.DeadlineReview:   "审核",
	workflow.DeadlineNotice:   "交办",
	workflow.DeadlineSchedule: "商定",
	workflow.DeadlineHandling: "办理",
}

// bulletin maps the month's figures (stats.Compute for the month, each
// figure by the event that defines it, as of now) to the bulletin.
func (mp *mapper) bulletin(cal *workdays.Calendar, month, now time.Time) (*mapped, error) {
	from := month
	to := month.AddDate(0, 1, 0)
	f, err := stats.Compute(mp.app, cal, stats.Query{From: from, To: to, District: true, Work: true}, now)
	if err != nil {
		return nil, err
	}
	d := BulletinData(f, month, mp.issuer(), "全区")
	f2, _ := formByName("bulletin")
	serial := bulletinSerial(month)
	d.Meta.Serial = serial
	return mp.checked(&mapped{form: f2, recordID: monthKey(month), serial: serial, meta: &d.Meta, data: d,
		render: func(w io.Writer) error { return pdf.RenderBulletin(w, *d) }}, nil)
}

// issuer is the supervision office's name.
func (mp *mapper) issuer() string {
	o, err := mp.app.FindFirstRecordByData(collections.Orgs, collections.OrgKind, collections.OrgSupervision)
	if err != nil {
		return "区委区府办督查室"
	}
	return o.GetString(collections.OrgName)
}

// BulletinData maps a month's figures to the bulletin: the totals, the
// stage rates, one row per street and the overdue list. scope names where
// the figures are from in the summary ("全区"; the city roll-up's "全市").
func BulletinData(f *stats.Figures, month time.Time, issuer, scope string) *pdf.BulletinData {
	rate := func(r stats.Rate) pdf.Rate { return pdf.Rate{Num: r.OnTime, Den: r.Done} }
	d := &pdf.BulletinData{
		Month:  month,
		Issuer: issuer,
		Summary: fmt.Sprintf("%d年%d月，%s%d个社区（股份经济合作社）共召开恳谈会%d场，收集问题%d个、意见建议%d条；"+
			"收到群众约谈申请%d件，受理%d件（区四套班子领导%d件，区管党政正职%d件），不予受理%d件，"+
			"街道层面解决%d件，现场解决%d件，交办解决%d件，办结销号%d件；截至通报时超期%d件。",
			month.Year(), int(month.Month()), scope, f.Communities, f.Meetings, f.Problems, f.Suggestions,
			f.Total, f.Accepted.Total, f.Accepted.FourTeams, f.Accepted.DistrictChief, f.Declined,
			f.Resolved.Street, f.Resolved.OnSpot, f.Resolved.Assigned, f.Closed, f.OverdueNow),
		Totals: pdf.BulletinTotals{
			Received:   f.Total,
			Accepted:   f.Accepted.Total,
			Declined:   f.Declined,
			OnSpot:     f.Resolved.OnSpot,
			Assigned:   f.Resolved.Assigned,
			Closed:     f.Closed,
			OverdueNow: f.OverdueNow,
			Satisfaction: pdf.Rate{
				Num: f.Satisfaction.Satisfied + f.Satisfaction.BasicallySatisfied,
				Den: f.Satisfaction.Replied,
			},
		},
	}
	for _, st := range stats.Stages() {
		d.Stages = append(d.Stages, pdf.StageRate{Stage: st.Label, Rate: rate(f.OnTime[st.Field])})
	}
	for _, kind := range []string{stats.HolderUnit, stats.HolderLeader, stats.HolderStreet} {
		t := pdf.RankTable{Kind: stats.HolderLabels[kind]}
		for _, r := range f.Ranking {
			if r.Kind == kind {
				t.Rows = append(t.Rows, pdf.RankRow{Name: r.Name, Rank: r.Rank, Response: rate(r.Response),
					Resolution: rate(r.Resolution), Satisfaction: rate(r.Satisfaction)})
			}
		}
		if len(t.Rows) > 0 {
			d.Rankings = append(d.Rankings, t)
		}
	}
	for _, def := range f.Definitions {
		d.Notes = append(d.Notes, pdf.Note{Term: def.Term, Text: def.Text})
	}
	for _, s := range f.ByStreet {
		name := s.Name
		if name == "" {
			name = "（未分街道）"
		}
		d.Streets = append(d.Streets, pdf.StreetFigures{
			Street: name, Received: s.Applications, Accepted: s.Accepted,
			Resolved: s.Resolved, Overdue: s.Overdue, OnTime: rate(s.OnTime),
		})
	}
	for _, o := range f.Overdue {
		// the stage's holder, from the deadline table
		responsible := o.Leader
		stage, _ := workflow.StageOf(o.Deadline)
		switch stage.Holder.Scope {
		case workflow.ScopeHandlingUnit:
			responsible = o.Unit
		case workflow.ScopeStreet:
			responsible = o.Street
		case workflow.ScopeAny, workflow.ScopeCommunity:
			responsible = workflow.RoleLabels[stage.Holder.Role]
		}
		name := stageNames[o.Deadline]
		if name == "" {
			name = stage.Label
		}
		d.Overdue = append(d.Overdue, pdf.OverdueItem{
			Serial: o.Serial, Subject: o.Subject, Stage: name,
			Responsible: responsible, DaysOverdue: o.DaysLate,
		})
	}
	return d
}
