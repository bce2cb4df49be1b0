package pdf

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/jung-kurt/gofpdf"
)

// Layout of the monthly supervision bulletin (督查通报).
const (
	bulTotalsW      = contentW / 4 // four figures per row
	bulHeadSize     = 12.0         // section headings
	bulChartH       = 62.0         // plot area of the bar chart
	bulChartPerRow  = 12           // streets per chart; more streets make more charts
	bulChartLabelH  = 9.0          // street names under the bars
	bulChartLegendH = 7.0
	bulChartAxisW   = 10.0
)

// Rate is a count of on-time (or satisfied) cases over the cases that
// count; it prints as "92.3%", or "—" when Den is 0.
type Rate struct {
	Num int // e.g. matters handled on time
	Den int // e.g. matters due
}

// String formats the rate as a percentage with one decimal.
func (r Rate) String() string {
	if r.Den == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(r.Num)/float64(r.Den))
}

// BulletinData is what the monthly supervision bulletin (督查通报) prints.
// All figures are computed by the caller for the month.
type BulletinData struct {
	Meta
	Month    time.Time       // the month reported on (any day in it)
	Issuer   string          // e.g. "区委区府办督查室"
	IssuedAt time.Time       // date under the issuer; zero uses GeneratedAt
	Summary  string          // opening remarks, any length; may be empty
	Totals   BulletinTotals  // district totals
	Streets  []StreetFigures // one row per street, in print order
	Units    string          // what a row of Streets is: "街道" when empty; the city's "区"
	Stages   []StageRate     // on-time rates per stage, in process order
	Overdue  []OverdueItem   // open matters past a deadline now
	Rankings []RankTable     // 三率及排名: one table per kind (承办单位, 领导, 街道)
	Notes    []Note          // 统计口径: each figure's definition, printed last
}

// BulletinTotals are the district's figures for the month.
type BulletinTotals struct {
	Received     int  // 收到申请
	Accepted     int  // 受理
	Declined     int  // 不予受理（转一般来信）
	OnSpot       int  // 现场解决
	Assigned     int  // 交办解决
	Closed       int  // 办结销号
	OverdueNow   int  // 当前超期
	Satisfaction Rate // 满意率: satisfied or basically satisfied over replies
}

// StreetFigures is one street's row of the bulletin.
type StreetFigures struct {
	Street   string // 街道
	Received int    // 收到申请
	Accepted int    // 受理
	Resolved int    // 办结
	Overdue  int    // 超期
	OnTime   Rate   // 按时办结率
}

// StageRate is one stage's on-time rate, named with its time limit
// (e.g. "交办通知单送达（3个工作日）").
type StageRate struct {
	Stage string
	Rate  Rate
}

// RankTable is the 三率 and ranking of one kind of holder.
type RankTable struct {
	Kind string // e.g. "承办单位"
	Rows []RankRow
}

// RankRow is one holder's 三率 and rank.
type RankRow struct {
	Name                               string
	Response, Resolution, Satisfaction Rate
	Rank                               int
}

// Note is one entry of the bulletin's 统计口径: what a figure counts.
type Note struct {
	Term string
	Text string
}

// OverdueItem is one open matter past its deadline.
type OverdueItem struct {
	Serial      string // 编号
	Subject     string // 约谈事项
	Stage       string // 所处环节, printed as given, e.g. "商定" or "办理"
	Responsible string // 责任领导或承办单位
	DaysOverdue int    // 超期（工作日）
}

var (
	bulletinStyleHead = style{size: bulHeadSize, bold: true}
	chartLabel        = style{size: 8}
)

// bulletinTitle is the title for the month, e.g. "2026年11月 群众约谈事项督查通报".
func bulletinTitle(m time.Time) string {
	if m.IsZero() {
		return "群众约谈事项督查通报"
	}
	return fmt.Sprintf("%d年%d月 群众约谈事项督查通报", m.Year(), int(m.Month()))
}

// RenderBulletin writes the monthly supervision bulletin as PDF to w.
func RenderBulletin(w io.Writer, d BulletinData) error {
	return render(w, bulletinTitle(d.Month), d.Meta, func(c *doc) {
		heading := func(s string) {
			c.ensure(bulletinStyleHead.lineH() + 20)
			c.y += 2.5
			c.text(marginL, baseline(c.y, bulletinStyleHead), 0, s, bulletinStyleHead, alignLeft)
			c.y += bulletinStyleHead.lineH() + 1
		}
		num := func(w float64, n int) cell { return cell{w: w, text: itoa(n), st: stBody, align: alignCenter} }
		txt := func(w float64, s string) cell { return cell{w: w, text: s, st: stBody, align: alignCenter} }
		big := func(s string) cell {
			return cell{w: bulTotalsW, text: s, st: style{size: 14, bold: true}, align: alignCenter}
		}

		heading("一、总体情况")
		if d.Summary != "" {
			c.paragraph(marginL, contentW, d.Summary, stBody)
			c.y += 2
		}
		t := d.Totals
		c.table([]row{
			{cells: []cell{lbl(bulTotalsW, "收到申请"), lbl(bulTotalsW, "受理"), lbl(bulTotalsW, "不予受理"), lbl(bulTotalsW, "现场解决")}, minH: 8},
			{cells: []cell{big(itoa(t.Received)), big(itoa(t.Accepted)), big(itoa(t.Declined)), big(itoa(t.OnSpot))}, minH: 12},
			{cells: []cell{lbl(bulTotalsW, "交办解决"), lbl(bulTotalsW, "办结销号"), lbl(bulTotalsW, "当前超期"), lbl(bulTotalsW, "群众满意率")}, minH: 8},
			{cells: []cell{big(itoa(t.Assigned)), big(itoa(t.Closed)), big(itoa(t.OverdueNow)), big(t.Satisfaction.String())}, minH: 12},
		}, nil)

		units := d.Units
		if units == "" {
			units = "街道"
		}
		heading("二、各" + units + "情况")
		cols := [6]float64{40, 25, 25, 25, 25, contentW - 140}
		header := row{cells: []cell{lbl(cols[0], units), lbl(cols[1], "收到申请"), lbl(cols[2], "受理"),
			lbl(cols[3], "办结"), lbl(cols[4], "超期"), lbl(cols[5], "按时办结率")}, minH: 9}
		var rows []row
		var sum StreetFigures
		for _, s := range d.Streets {
			rows = append(rows, row{cells: []cell{txt(cols[0], s.Street), num(cols[1], s.Received), num(cols[2], s.Accepted),
				num(cols[3], s.Resolved), num(cols[4], s.Overdue), txt(cols[5], s.OnTime.String())}, minH: 8})
			sum.Received += s.Received
			sum.Accepted += s.Accepted
			sum.Resolved += s.Resolved
			sum.Overdue += s.Overdue
			sum.OnTime.Num += s.OnTime.Num
			sum.OnTime.Den += s.OnTime.Den
		}
		if len(d.Streets) > 0 {
			rows = append(rows, row{cells: []cell{lbl(cols[0], "合计"), num(cols[1], sum.Received), num(cols[2], sum.Accepted),
				num(cols[3], sum.Resolved), num(cols[4], sum.Overdue), txt(cols[5], sum.OnTime.String())}, minH: 8})
		}
		c.table(rows, &header)
		// Streets are shared evenly among as few charts as needed.
		if n := len(d.Streets); n > 0 {
			charts := (n + bulChartPerRow - 1) / bulChartPerRow
			per := (n + charts - 1) / charts
			for i := 0; i < n; i += per {
				c.barChart(d.Streets[i:min(i+per, n)], per)
			}
		}

		heading("三、各环节按期办理情况")
		sc := [4]float64{contentW - 90, 30, 30, 30}
		var stageRows []row
		for _, st := range d.Stages {
			stageRows = append(stageRows, row{cells: []cell{val(sc[0], st.Stage), num(sc[1], st.Rate.Den), num(sc[2], st.Rate.Num), txt(sc[3], st.Rate.String())}, minH: 8})
		}
		if len(stageRows) == 0 {
			stageRows = append(stageRows, row{cells: []cell{txt(contentW, "本期无应完成的环节。")}, minH: 8})
		}
		c.table(stageRows, &row{cells: []cell{lbl(sc[0], "环节（时限）"), lbl(sc[1], "应完成"), lbl(sc[2], "按期完成"), lbl(sc[3], "按期率")}, minH: 9})

		heading("四、超期事项清单")
		oc := [6]float64{12, 28, 52, 20, 38, contentW - 150}
		oh := row{cells: []cell{lbl(oc[0], "序号"), lbl(oc[1], "编号"), lbl(oc[2], "约谈事项"), lbl(oc[3], "所处环节"),
			lbl(oc[4], "责任领导/单位"), lbl(oc[5], "超期天数")}, minH: 9}
		rows = nil
		for i, o := range d.Overdue {
			rows = append(rows, row{cells: []cell{num(oc[0], i+1), txt(oc[1], o.Serial), val(oc[2], o.Subject), txt(oc[3], o.Stage),
				val(oc[4], o.Responsible), num(oc[5], o.DaysOverdue)}, minH: 8})
		}
		if len(d.Overdue) == 0 {
			rows = append(rows, row{cells: []cell{txt(contentW, "本月无超期事项。")}, minH: 8})
		}
		c.table(rows, &oh)

		if len(d.Rankings) > 0 {
			heading("五、三率及排名")
			rc := [5]float64{14, contentW - 134, 40, 40, 40}
			count := func(w float64, r Rate) cell {
				s := r.String()
				if r.Den > 0 {
					s += fmt.Sprintf("（%d/%d）", r.Num, r.Den)
				}
				return txt(w, s)
			}
			for _, t := range d.Rankings {
				rows = nil
				for _, r := range t.Rows {
					rows = append(rows, row{cells: []cell{num(rc[0], r.Rank), val(rc[1], r.Name), count(rc[2], r.Response),
						count(rc[3], r.Resolution), count(rc[4], r.Satisfaction)}, minH: 8})
				}
				c.table(rows, &row{cells: []cell{lbl(rc[0], "名次"), lbl(rc[1], t.Kind), lbl(rc[2], "响应率"), lbl(rc[3], "解决率"), lbl(rc[4], "满意率")}, minH: 9})
				c.y += 2
			}
		}

		if len(d.Notes) > 0 {
			heading("六、统计口径")
			for _, n := range d.Notes {
				c.paragraph(marginL, contentW, n.Term+"："+n.Text, stSmall)
				c.y += 0.8
			}
		}

		issued := d.IssuedAt
		if issued.IsZero() {
			issued = d.Meta.GeneratedAt
		}
		c.ensure(2*stBody.lineH() + 8)
		c.y += 8
		for _, s := range []string{d.Issuer, date(issued)} {
			if s != "" {
				c.text(marginL, baseline(c.y, stBody), contentW-10, s, stBody, alignRight)
				c.y += stBody.lineH()
			}
		}
	})
}

// chartSeries are the bars drawn per street, with their fill grey levels.
var chartSeries = []struct {
	label string
	gray  int
	value func(StreetFigures) int
}{
	{"收到申请", 205, func(s StreetFigures) int { return s.Received }},
	{"受理", 150, func(s StreetFigures) int { return s.Accepted }},
	{"办结", 70, func(s StreetFigures) int { return s.Resolved }},
	{"超期", -1, func(s StreetFigures) int { return s.Overdue }}, // drawn in red
}

// barChart draws grouped bars per street with gofpdf primitives.
func (d *doc) barChart(streets []StreetFigures, slots int) {
	total := bulChartLegendH + bulChartH + bulChartLabelH + 4
	d.ensure(total)
	top := d.y + 2
	// Legend.
	x := marginL + bulChartAxisW
	for _, s := range chartSeries {
		gray := s.gray
		lx, ly := x, top+1.5
		d.add(func(p *gofpdf.Fpdf) { setBarFill(p, gray); p.Rect(lx, ly, 4, 3, "F") })
		d.text(x+5.5, top+4.2, 0, s.label, stSmall, alignLeft)
		x += 5.5 + d.width(s.label, stSmall) + 6
	}
	plotTop := top + bulChartLegendH
	plotX := marginL + bulChartAxisW
	plotW := contentW - bulChartAxisW
	maxV := 0
	for _, st := range streets {
		for _, s := range chartSeries {
			maxV = max(maxV, s.value(st))
		}
	}
	step := niceStep(maxV)
	top4 := step * int(math.Ceil(float64(max(maxV, 1))/float64(step)))
	scale := bulChartH / float64(top4)
	base := plotTop + bulChartH
	// Grid and axis.
	for v := 0; v <= top4; v += step {
		y := base - float64(v)*scale
		d.add(func(p *gofpdf.Fpdf) {
			p.SetDrawColor(200, 200, 200)
			p.SetLineWidth(0.15)
			p.Line(plotX, y, plotX+plotW, y)
		})
		d.text(marginL, y+1.1, bulChartAxisW-1.5, itoa(v), stTiny, alignRight)
	}
	d.line(plotX, plotTop, plotX, base, thinLine)
	d.line(plotX, base, plotX+plotW, base, thinLine)
	// Bars.
	groupW := plotW / float64(max(slots, 1))
	barW := math.Min(5, groupW*0.7/float64(len(chartSeries)))
	for i, st := range streets {
		gx := plotX + float64(i)*groupW + (groupW-barW*float64(len(chartSeries)))/2
		for j, s := range chartSeries {
			v := s.value(st)
			h := float64(v) * scale
			bx, gray := gx+float64(j)*barW, s.gray
			if v > 0 {
				d.add(func(p *gofpdf.Fpdf) { setBarFill(p, gray); p.Rect(bx, base-h, barW*0.92, h, "F") })
			}
			d.text(bx, base-h-0.8, barW*0.92, itoa(v), style{size: 6}, alignCenter)
		}
		ls := d.wrap(st.Street, groupW-1, chartLabel)
		if len(ls) > 2 {
			ls = ls[:2]
		}
		d.lines(plotX+float64(i)*groupW, base+0.5, groupW, ls, chartLabel, alignCenter)
	}
	d.y = base + bulChartLabelH + 2
}

// setBarFill sets the fill colour of a bar series; gray -1 is red.
func setBarFill(p *gofpdf.Fpdf, gray int) {
	if gray < 0 {
		p.SetFillColor(200, 40, 40)
		return
	}
	p.SetFillColor(gray, gray, gray)
}

// niceStep returns a 1, 2 or 5 times power of ten step giving about 5 grid
// lines up to max.
func niceStep(max int) int {
	if max <= 5 {
		return 1
	}
	raw := float64(max) / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			return int(m * pow)
		}
	}
	return int(10 * pow)
}
