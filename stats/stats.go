// Package stats owns the figures the district reports: collection work,
// applications by stage, who handled them, on-time rates per stage,
// what is overdue now and how satisfied the applicants were, in total and
// by street and community. GET /api/stats serves them; the monthly
// bulletin prints them.
package stats

import (
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/collections"
	"yuetan/listrule"
	"yuetan/workdays"
	"yuetan/workflow"
)

// Query selects the figures of [From, To): those of the applications the
// applications collection's list rule lets Viewer see, as the list API
// would (a superuser sees all; no viewer, none). Each figure counts the
// event that defines it in the period (see Definitions).
type Query struct {
	From, To time.Time
	Viewer   *core.RequestInfo
	// District counts every application whoever asks, Viewer aside: the
	// district's own report (the monthly bulletin).
	District bool
	// Work adds the collection work (communities, meetings, problems,
	// suggestions), figures of the whole district.
	Work bool
}

// Rate is an on-time or satisfaction rate: OnTime of Done (its counts
// always shown with it).
type Rate struct {
	Done   int     `json:"done"`
	OnTime int     `json:"on_time"`
	Rate   float64 `json:"rate"` // 0..1; 0 when nothing is done
}

func (r *Rate) add(onTime bool) {
	r.Done++
	if onTime {
		r.OnTime++
	}
	r.Rate = float64(r.OnTime) / float64(r.Done)
}

// Group is the application figures of one street or community.
type Group struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Street       string `json:"street,omitempty"`
	Applications int    `json:"applications"`
	Accepted     int    `json:"accepted"`
	Resolved     int    `json:"resolved"`
	Overdue      int    `json:"overdue"`
	OnTime       Rate   `json:"on_time"`
	keep         bool   // listed though empty
}

func (g *Group) empty() bool {
	return !g.keep && g.Applications == 0 && g.Accepted == 0 && g.Resolved == 0 && g.Overdue == 0 && g.OnTime.Done == 0
}

// Overdue is one deadline missed and still open.
type Overdue struct {
	Application string `json:"application"`
	Serial      string `json:"serial"`
	Subject     string `json:"subject"`
	Status      string `json:"status"`
	Deadline    string `json:"deadline"`
	DueOn       string `json:"due_on"`
	DaysLate    int    `json:"days_late"` // working days past the due day
	Leader      string `json:"leader"`
	Unit        string `json:"unit"`
	Street      string `json:"street"`
}

// Figures is everything GET /api/stats returns.
type Figures struct {
	From string `json:"from"`
	To   string `json:"to"`
	// AsOf is when the snapshot figures (in progress, overdue) were taken.
	AsOf string `json:"as_of"`
	// District: the district's figures (collection work included), not
	// only those of the caller's own applications.
	District    bool `json:"district"`
	Communities int  `json:"communities"`
	Meetings    int  `json:"meetings"`
	Problems    int  `json:"problems"`
	Suggestions int  `json:"suggestions"`
	// Total is 收到申请: first submitted in the period.
	Total int `json:"applications"`
	// InProgress counts the open matters by status, now.
	InProgress map[string]int `json:"in_progress"`
	Accepted   struct {
		Total         int `json:"total"`
		FourTeams     int `json:"four_teams"`
		DistrictChief int `json:"district_chief"`
	} `json:"accepted"`
	Declined int `json:"declined"`
	Resolved struct {
		Total    int `json:"total"`
		Street   int `json:"street"`
		OnSpot   int `json:"on_spot"`
		Assigned int `json:"assigned"`
	} `json:"resolved"`
	Closed     int             `json:"closed"`
	OnTime     map[string]Rate `json:"on_time"` // by deadline field
	OverdueNow int             `json:"overdue_now"`
	// DissatisfiedOpen: matters whose last reply or 回访 was 不满意, not yet sent back or closed
	DissatisfiedOpen int `json:"dissatisfied_open"`
	// Extensions: the handling units' last extension request per matter, by outcome
	Extensions struct {
		Pending  int `json:"pending"`
		Approved int `json:"approved"`
		Refused  int `json:"refused"`
	} `json:"extensions"`
	Overdue      []Overdue `json:"overdue"`
	Satisfaction struct {
		Replied            int     `json:"replied"`
		Satisfied          int     `json:"satisfied"`
		BasicallySatisfied int     `json:"basically_satisfied"`
		Dissatisfied       int     `json:"dissatisfied"`
		Rate               float64 `json:"rate"`
	} `json:"satisfaction"`
	ByStreet    []Group `json:"by_street"`
	ByCommunity []Group `json:"by_community"`
	// Ranking is the 三率 of every handling unit, leader and street, ranked
	// within its kind.
	Ranking     []ThreeRates `json:"ranking"`
	Definitions []Definition `json:"definitions"`
}

type appRow struct {
	ID             string `db:"id"`
	Serial         string `db:"serial"`
	Subject        string `db:"subject"`
	Status         string `db:"status"`
	Community      string `db:"community"`
	Street         string `db:"street"`
	AssignedLeader string `db:"assigned_leader"`
	HandlingUnit   string `db:"handling_unit"`
	Rank           string `db:"rank"`
	LeaderName     string `db:"leader_name"`
	UnitName       string `db:"unit_name"`
	Satisfaction   string `db:"satisfaction"`
	Dissatisfied   string `db:"dissatisfied"`
	Extension      string `db:"extension_state"`
	// Clocks are the deadline table's columns (due, stop and done fields), by name.
	Clocks map[string]string `db:"-"`
}

// clockColumns are the application columns of the deadline table
// (workflow.Stages): every due, stop and done field.
func clockColumns() []string {
	var out []string
	for _, s := range workflow.Stages {
		for _, c := range []string{s.Field, s.Stop, s.Done} {
			if c != "" && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse("2006-01-02 15:04:05.000Z", s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Compute returns the figures for q as of now.
func Compute(app core.App, cal *workdays.Calendar, q Query, now time.Time) (*Figures, error) {
	return compute(app.DB(), app, cal, q, now, population(q))
}

// ComputeDB returns the district's own figures (as if q.District and
// q.Work) for q as of now from db: a district's SQLite database, or any
// database presenting the same tables and columns (the PostgreSQL
// roll-up's figures views), so the definitions live once.
func ComputeDB(db dbx.Builder, cal *workdays.Calendar, q Query, now time.Time) (*Figures, error) {
	q.District, q.Work = true, true
	return compute(db, nil, cal, q, now, population(q))
}

// span is when an application first and last entered one status.
type span struct{ first, last time.Time }

// moves are an application's audit trail: status → when it entered it.
type moves map[string]span

// in reports whether the application first entered status in [from, to).
func (m moves) in(status string, from, to time.Time) bool {
	t := m[status].first
	return !t.IsZero() && !t.Before(from) && t.Before(to)
}

// lastIn reports whether the application last entered status in [from, to).
func (m moves) lastIn(status string, from, to time.Time) bool {
	t := m[status].last
	return !t.IsZero() && !t.Before(from) && t.Before(to)
}

// resolvedIn reports whether the matter was 办结 in [from, to): the first
// of its moves into 街道已解决, 已解决 or 反馈已审核 falls in it.
func (m moves) resolvedIn(from, to time.Time) bool {
	var first time.Time
	for _, s := range []string{workflow.StatusStreetResolved, workflow.StatusResolved, workflow.StatusFeedbackApproved} {
		if t := m[s].first; !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return !first.IsZero() && !first.Before(from) && first.Before(to)
}

// compute reads the figures from db of the applications in pop; app
// applies the applications list rule for q.Viewer unless q.District.
func compute(db dbx.Builder, app core.App, cal *workdays.Calendar, q Query, now time.Time, pop dbx.Expression) (*Figures, error) {
	f := &Figures{From: workdays.FormatDate(q.From), To: workdays.FormatDate(q.To.Add(-time.Second)),
		AsOf: now.UTC().Format(time.RFC3339), District: q.District || q.Work,
		InProgress: map[string]int{}, OnTime: map[string]Rate{}, Definitions: Definitions}
	params := dbx.Params{"from": q.From.UTC().Format("2006-01-02 15:04:05.000Z"), "to": q.To.UTC().Format("2006-01-02 15:04:05.000Z")}
	rows, err := applications(db, app, q, pop)
	if err != nil {
		return nil, err
	}
	trail, err := events(db, pop)
	if err != nil {
		return nil, err
	}
	orgNames, parents, streetIDs, err := orgIndex(db)
	if err != nil {
		return nil, err
	}
	// the stages are rated as of the period's end, or now if sooner
	asOf := q.To
	if now.Before(asOf) {
		asOf = now
	}
	from, to := q.From, q.To
	streets, communities := map[string]*Group{}, map[string]*Group{}
	leaders := map[string]string{}
	rk := newRanking(from, to, asOf, func(kind, id string) string {
		if kind == HolderLeader {
			return leaders[id]
		}
		return orgNames[id]
	})
	group := func(m map[string]*Group, id, street string) *Group {
		g := m[id]
		if g == nil {
			g = &Group{ID: id, Name: orgNames[id], Street: street}
			m[id] = g
		}
		return g
	}
	for _, r := range rows {
		mv := trail[r.ID]
		if mv[workflow.StatusSubmitted].first.IsZero() {
			continue // never submitted: a draft is no application
		}
		if r.Status == "" {
			r.Status = workflow.StatusDraft
		}
		street := r.Street
		if street == "" {
			street = parents[r.Community]
			r.Street = street
		}
		sg, cg := group(streets, street, ""), group(communities, r.Community, orgNames[street])
		if mv.in(workflow.StatusSubmitted, from, to) {
			f.Total++
			sg.Applications++
			cg.Applications++
		}
		if workflow.Open(r.Status) && r.Status != workflow.StatusDraft {
			f.InProgress[r.Status]++
		}
		if mv.in(workflow.StatusAccepted, from, to) {
			f.Accepted.Total++
			sg.Accepted++
			cg.Accepted++
			switch r.Rank {
			case collections.RankFourTeams:
				f.Accepted.FourTeams++
			case collections.RankDistrictChief:
				f.Accepted.DistrictChief++
			}
		}
		if mv.in(workflow.StatusDeclined, from, to) {
			f.Declined++
		}
		if mv.in(workflow.StatusClosed, from, to) {
			f.Closed++
		}
		if mv.in(workflow.StatusStreetResolved, from, to) {
			f.Resolved.Street++
		}
		if mv.in(workflow.StatusResolved, from, to) {
			f.Resolved.OnSpot++
		}
		if mv.in(workflow.StatusInHandling, from, to) {
			f.Resolved.Assigned++
		}
		if mv.resolvedIn(from, to) {
			f.Resolved.Total++
			sg.Resolved++
			cg.Resolved++
		}
		// on time per stage: done in the period by its deadline, over done
		// in the period plus still open past it at the period's end
		for _, st := range Stages() {
			onTime, counted := stageOnTime(&r, st, from, to, asOf)
			if !counted {
				continue
			}
			rate := f.OnTime[st.Field]
			rate.add(onTime)
			f.OnTime[st.Field] = rate
			if st.Ack {
				continue // 签收 counts in the response rate, not the groups' on-time
			}
			sg.OnTime.add(onTime)
			cg.OnTime.add(onTime)
		}
		leaders[r.AssignedLeader] = r.LeaderName
		rk.add(&r, mv)
		// overdue now: the running clock that passed first
		var late *workflow.Stage
		var lateDue time.Time
		for _, st := range workflow.StagesIn(r.Status) {
			if !st.Running(r.Status, func(c string) string { return r.Clocks[c] }) {
				continue
			}
			due := parseTime(r.Clocks[st.Field])
			if !due.IsZero() && now.After(due) && (late == nil || due.Before(lateDue)) {
				st := st
				late, lateDue = &st, due
			}
		}
		if late != nil {
			f.OverdueNow++
			sg.Overdue++
			cg.Overdue++
			f.Overdue = append(f.Overdue, Overdue{
				Application: r.ID, Serial: r.Serial, Subject: r.Subject, Status: r.Status,
				Deadline: late.Field, DueOn: workdays.FormatDate(lateDue), DaysLate: DaysLate(cal, lateDue, now),
				Leader: r.LeaderName, Unit: r.UnitName, Street: orgNames[street],
			})
		}
		if r.Dissatisfied == "true" || r.Dissatisfied == "1" {
			f.DissatisfiedOpen++
		}
		switch r.Extension {
		case workflow.ExtensionPending:
			f.Extensions.Pending++
		case workflow.ExtensionApproved:
			f.Extensions.Approved++
		case workflow.ExtensionRefused:
			f.Extensions.Refused++
		}
		if mv.lastIn(workflow.StatusReplied, from, to) {
			switch r.Satisfaction {
			case workflow.SatisfactionSatisfied:
				f.Satisfaction.Satisfied++
			case workflow.SatisfactionBasically:
				f.Satisfaction.BasicallySatisfied++
			case workflow.SatisfactionDissatisfied:
				f.Satisfaction.Dissatisfied++
			}
		}
	}
	f.Satisfaction.Replied = f.Satisfaction.Satisfied + f.Satisfaction.BasicallySatisfied + f.Satisfaction.Dissatisfied
	if f.Satisfaction.Replied > 0 {
		f.Satisfaction.Rate = float64(f.Satisfaction.Satisfied+f.Satisfaction.BasicallySatisfied) / float64(f.Satisfaction.Replied)
	}
	// most days late first; ties by due date, then serial and id, so the
	// order never depends on how the database happens to return the rows
	sort.Slice(f.Overdue, func(i, j int) bool {
		a, b := f.Overdue[i], f.Overdue[j]
		switch {
		case a.DaysLate != b.DaysLate:
			return a.DaysLate > b.DaysLate
		case a.DueOn != b.DueOn:
			return a.DueOn < b.DueOn
		case a.Serial != b.Serial:
			return a.Serial < b.Serial
		}
		return a.Application < b.Application
	})
	if f.District {
		// the district's report has a row for every street, also one
		// with nothing in the period
		for _, id := range streetIDs {
			group(streets, id, "").keep = true
		}
	}
	f.ByStreet, f.ByCommunity = sorted(streets), sorted(communities)
	f.Ranking = rk.list()
	if q.Work {
		if err := collectionFigures(db, f, params); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// stageOnTime rates one stage of r for [from, to) as of asOf: counted
// when its act was done in the period (on time: by its deadline) or it is
// still open then past its deadline (late).
func stageOnTime(r *appRow, st Stage, from, to, asOf time.Time) (onTime, counted bool) {
	due, done := parseTime(r.Clocks[st.Field]), parseTime(r.Clocks[st.Done])
	switch {
	case due.IsZero():
		return false, false
	case !done.IsZero() && !done.Before(from) && done.Before(to):
		return !done.After(due), true
	case (done.IsZero() || !done.Before(asOf)) && asOf.After(due):
		// (a due date is set when its stage starts, so one passed by the
		// period's end belongs to a stage open then)
		return false, true
	}
	return false, false
}

// DaysLate is how late a deadline due at due is at now, in working days
// counted from the day after the due day (0 until then): the one count
// of 超期天数 the figures, the bulletin and the web app's chips show.
func DaysLate(cal *workdays.Calendar, due, now time.Time) int {
	return cal.WorkdaysBetween(due, now)
}

// applications reads the applications the figures may count: every one
// the applications list rule lets the viewer see (the district's: all).
// The rule is the collection's own, applied as the list API applies it:
// the figures never count an application the viewer could not open.
func applications(db dbx.Builder, app core.App, q Query, pop dbx.Expression) ([]appRow, error) {
	const a = collections.Applications
	sel := db.Select(a+".id", a+".serial", a+".subject", a+".status", a+".community", a+".street",
		a+".assigned_leader", a+".handling_unit",
		"COALESCE(__u.leader_rank, '') AS rank", "COALESCE(__u.name, '') AS leader_name", "COALESCE(__o.name, '') AS unit_name",
		a+".dissatisfied", a+".extension_state",
		"COALESCE("+SatisfactionSQL(a+".id")+", '') AS satisfaction").
		From(a).
		LeftJoin("users __u", dbx.NewExp("[[__u.id]] = [["+a+".assigned_leader]]")).
		LeftJoin("orgs __o", dbx.NewExp("[[__o.id]] = [["+a+".handling_unit]]"))
	for _, c := range clockColumns() {
		sel.AndSelect(a + "." + c)
	}
	sel.AndWhere(pop)
	if !q.District {
		if err := listrule.Narrow(app, sel, a, q.Viewer); err != nil {
			return nil, err
		}
	}
	var raw []dbx.NullStringMap
	if err := sel.All(&raw); err != nil {
		return nil, fmt.Errorf("stats applications: %w", err)
	}
	rows := make([]appRow, len(raw))
	for i, m := range raw {
		rows[i] = rowOf(m)
	}
	return rows, nil
}

// rowOf reads a row's columns into an appRow by its db tags, and the
// deadline table's columns into Clocks.
func rowOf(m dbx.NullStringMap) appRow {
	var r appRow
	v := reflect.ValueOf(&r).Elem()
	for i := range v.NumField() {
		if tag := v.Type().Field(i).Tag.Get("db"); tag != "" && tag != "-" {
			v.Field(i).SetString(m[tag].String)
		}
	}
	r.Clocks = map[string]string{}
	for _, c := range clockColumns() {
		r.Clocks[c] = m[c].String
	}
	return r
}

// settled is how long before a period an application must have last
// changed to be left out of it: an event is written in the transaction of
// its move, a few milliseconds from the record's updated time.
const settled = time.Minute

// population selects the applications a period's figures may count (see
// applications): every open one, and every other changed since shortly
// before the period began. One left out is closed (解决, 街道已解决, 不予受理 or
// 销号) and has not changed since before the period: it moved in none of
// it and has no stage open in it, so no figure of the period counts it.
// It keeps the figures' cost with the period, not with the years behind
// it (idx_applications_status, idx_applications_updated).
func population(q Query) dbx.Expression {
	var open []string
	for _, s := range append([]string{""}, workflow.Statuses...) {
		if workflow.Open(s) {
			open = append(open, "'"+s+"'") // the workflow's own values: no quotes in them
		}
	}
	since := q.From.Add(-settled).UTC().Format("2006-01-02 15:04:05.000Z")
	const a = collections.Applications
	return dbx.NewExp("("+a+".status IN ("+strings.Join(open, ", ")+") OR "+a+".updated >= {:settledSince})",
		dbx.Params{"settledSince": since})
}

// events reads the audit trail of the applications in pop: for each
// application and status, when it first and last entered it.
func events(db dbx.Builder, pop dbx.Expression) (map[string]moves, error) {
	var rows []struct {
		Application string `db:"application"`
		To          string `db:"to_status"`
		First       string `db:"first"`
		Last        string `db:"last"`
	}
	// the applications first (their population's indexes), then theirs
	// (idx_events_application)
	const a = collections.Applications
	params := dbx.Params{}
	in := pop.Build(nil, params)
	err := db.NewQuery(`SELECT application, to_status, MIN(created) AS first, MAX(created) AS last
		FROM events WHERE to_status != '' AND application IN (SELECT ` + a + `.id FROM ` + a + ` WHERE ` + in + `)
		GROUP BY application, to_status`).Bind(params).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("stats events: %w", err)
	}
	out := map[string]moves{}
	for _, r := range rows {
		m := out[r.Application]
		if m == nil {
			m = moves{}
			out[r.Application] = m
		}
		m[r.To] = span{parseTime(r.First), parseTime(r.Last)}
	}
	return out, nil
}

func sorted(m map[string]*Group) []Group {
	out := make([]Group, 0, len(m))
	for _, g := range m {
		if !g.empty() {
			out = append(out, *g)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Applications != out[j].Applications {
			return out[i].Applications > out[j].Applications
		}
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID // same name (another district's): never the row order
	})
	return out
}

// orgIndex reads every org's name and parent, and which are streets.
func orgIndex(db dbx.Builder) (names, parents map[string]string, streets []string, err error) {
	var orgs []struct {
		ID     string `db:"id"`
		Name   string `db:"name"`
		Parent string `db:"parent"`
		Kind   string `db:"kind"`
	}
	if err := db.NewQuery("SELECT id, name, parent, kind FROM orgs").All(&orgs); err != nil {
		return nil, nil, nil, fmt.Errorf("stats orgs: %w", err)
	}
	names, parents = map[string]string{}, map[string]string{}
	for _, o := range orgs {
		names[o.ID], parents[o.ID] = o.Name, o.Parent
		if o.Kind == collections.OrgStreet {
			streets = append(streets, o.ID)
		}
	}
	return names, parents, streets, nil
}

// collectionFigures counts the collection work: applicant orgs, meetings,
// problems and suggestions in the range (an issue recorded again and marked
// a duplicate counts once, as its original).
func collectionFigures(db dbx.Builder, f *Figures, params dbx.Params) error {
	var c struct {
		Communities int `db:"communities"`
		Meetings    int `db:"meetings"`
		Problems    int `db:"problems"`
		Suggestions int `db:"suggestions"`
	}
	err := db.NewQuery(`SELECT
		(SELECT COUNT(*) FROM orgs WHERE kind IN ('community', 'cooperative')) AS communities,
		(SELECT COUNT(*) FROM meetings WHERE held_on >= {:from} AND held_on < {:to}) AS meetings,
		(SELECT COUNT(*) FROM issues WHERE kind = 'problem' AND duplicate_of = '' AND collected_at >= {:from} AND collected_at < {:to}) AS problems,
		(SELECT COUNT(*) FROM issues WHERE kind = 'suggestion' AND duplicate_of = '' AND collected_at >= {:from} AND collected_at < {:to}) AS suggestions`).
		Bind(params).One(&c)
	if err != nil {
		return fmt.Errorf("stats collection work: %w", err)
	}
	f.Communities, f.Meetings, f.Problems, f.Suggestions = c.Communities, c.Meetings, c.Problems, c.Suggestions
	return nil
}

// ParseRange reads from/to (YYYY-MM-DD, inclusive) with defaults: the
// current year to date.
func ParseRange(from, to string, now time.Time) (time.Time, time.Time, error) {
	var start, end time.Time
	var err error
	if from == "" {
		n := now.In(workdays.Shanghai)
		start = time.Date(n.Year(), 1, 1, 0, 0, 0, 0, workdays.Shanghai)
	} else if start, err = workdays.ParseDate(from); err != nil {
		return start, end, fmt.Errorf("from: %w", err)
	}
	if to == "" {
		end = now.Add(time.Second)
	} else if end, err = workdays.ParseDate(to); err != nil {
		return start, end, fmt.Errorf("to: %w", err)
	} else {
		end = end.AddDate(0, 0, 1)
	}
	if !end.After(start) {
		return start, end, fmt.Errorf("to before from")
	}
	return start, end, nil
}

// Access decides who may read figures: superusers, the working group and
// supervisors read the district's (district is true: collection work
// included), leaders those of the applications they may see; anyone else
// gets a 401 or 403 error in PocketBase's shape. Which applications count
// is the applications list rule's business, not this. The stats route and
// the monthly bulletin share it.
func Access(auth *core.Record) (district bool, err error) {
	switch {
	case auth == nil:
		return false, router.NewUnauthorizedError("请先登录。", nil)
	case auth.IsSuperuser():
		return true, nil
	case auth.Collection().Name != collections.Users:
		return false, router.NewForbiddenError("无权查看统计数据。", nil)
	}
	switch auth.GetString(collections.UserRole) {
	case workflow.RoleWorkingGroup, workflow.RoleSupervisor:
		return true, nil
	case workflow.RoleLeader:
		return false, nil
	}
	return false, router.NewForbiddenError("统计数据仅供专门工作小组、督查和领导查看。", nil)
}

// Register serves GET /api/stats to the working group and supervisors
// and to leaders, each counting the applications the list rule lets them
// see.
func Register(app core.App, cal func(core.App) *workdays.Calendar) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/stats", func(e *core.RequestEvent) error {
			district, err := Access(e.Auth)
			if err != nil {
				return err
			}
			info, err := e.RequestInfo()
			if err != nil {
				return err
			}
			// the applications are those the caller may list; the collection
			// work comes to those who read the district's figures
			q := Query{Viewer: info, Work: district}
			q.From, q.To, err = ParseRange(e.Request.URL.Query().Get("from"), e.Request.URL.Query().Get("to"), time.Now())
			if err != nil {
				return router.NewBadRequestError("统计区间无效：日期格式应为 YYYY-MM-DD，且结束日期不早于开始日期。",
					validation.Errors{"range": validation.NewError("invalid_range", err.Error())})
			}
			figures, err := Compute(e.App, cal(e.App), q, time.Now())
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, figures)
		})
		return se.Next()
	})
}
