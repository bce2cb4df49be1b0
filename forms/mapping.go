package forms

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/samber/lo"
	_ "golang.org/x/image/webp" // co-signatures may be captured as WebP; pdf decodes with image.Decode

	"yuetan/collections"
	"yuetan/pdf"
	"yuetan/workdays"
	"yuetan/workflow"
)

// Form is one of the printable forms.
type Form struct {
	Name  string // in routes and form_prints.form, e.g. "notice"
	Title string // the Chinese title, e.g. "群众约谈交办通知单"
}

// Forms lists the forms in process order (the names are pdf.Forms()).
var Forms = []Form{
	{"application", "群众约谈登记申报表"},
	{"signatures", "居民联名签名表"},
	{"notice", "群众约谈交办通知单"},
	{"talk", "群众约谈情况登记表"},
	{"feedback", "群众约谈事项办理情况反馈表"},
	{"bulletin", "督查通报"},
}

// formByName returns the form called name.
func formByName(name string) (Form, bool) {
	return lo.Find(Forms, func(f Form) bool { return f.Name == name })
}

// mapped is one form mapped from its records, ready to stamp and render.
type mapped struct {
	form       Form
	archive    bool   // the archive copy (the co-signature sheet with every phone in full)
	collection string // the record's collection ("" for the bulletin)
	recordID   string // the record's id (the month "2026-11" for the bulletin)
	serial     string // printed serial number
	meta       *pdf.Meta
	data       any // *pdf.<Form>Data, whose Meta is *meta
	render     func(w io.Writer) error
}

// pdf renders m.
func (m *mapped) pdf() ([]byte, error) {
	var buf bytes.Buffer
	if err := m.render(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// fileName is the Chinese file name, e.g. 群众约谈登记申报表-约申〔2026〕第12号.pdf.
func (m *mapped) fileName() string {
	tail := m.serial
	if tail == "" {
		tail = "草稿"
	}
	if m.archive {
		tail += "（存档件）"
	}
	return m.form.Title + "-" + tail + ".pdf"
}

// asciiName is the fallback file name for clients without RFC 5987,
// e.g. application-2026-12.pdf.
func (m *mapped) asciiName() string {
	return m.form.Name + "-" + m.recordID + ".pdf"
}

// errNotFound is the 404 of a record that does not exist or that the
// caller may not view (PocketBase's REST API does not tell them apart).
func errNotFound() error { return router.NewNotFoundError("记录不存在或您无权查看。", nil) }

// conflict is the 409 of a form whose stage has not been reached.
func conflict(msg string) error { return router.NewApiError(http.StatusConflict, msg, nil) }

// target is what a form is printed from: the application and, for the
// talk and feedback forms, the talk or feedback record.
type target struct {
	form   Form
	app    *core.Record
	rec    *core.Record   // the record the form is of; nil when it does not exist yet
	checks []*core.Record // records the caller must be allowed to view
}

// resolve finds the records of form for id: an application id for the
// application, signatures and notice; for the talk and feedback forms a
// talk or feedback id, or an application id meaning its latest one.
// A missing record is a 404.
func resolve(app core.App, form Form, id string) (*target, error) {
	t := &target{form: form}
	switch form.Name {
	case "application", "signatures", "notice":
		a, err := app.FindRecordById(collections.Applications, id)
		if err != nil {
			return nil, errNotFound()
		}
		t.app, t.rec, t.checks = a, a, []*core.Record{a}
		if form.Name == "signatures" {
			sigs, err := signatures(app, a.Id)
			if err != nil {
				return nil, err
			}
			// the sheet shows residents' names and phones: each row must be
			// visible to the caller too
			t.checks = append(t.checks, sigs...)
		}
	case "talk", "feedback":
		coll := collections.Talks
		if form.Name == "feedback" {
			coll = collections.Feedback
		}
		if rec, err := app.FindRecordById(coll, id); err == nil {
			a, err := app.FindRecordById(collections.Applications, rec.GetString("application"))
			if err != nil {
				return nil, errNotFound()
			}
			t.app, t.rec, t.checks = a, rec, []*core.Record{rec}
			return t, nil
		}
		a, err := app.FindRecordById(collections.Applications, id)
		if err != nil {
			return nil, errNotFound()
		}
		t.app, t.checks = a, []*core.Record{a}
		if form.Name == "talk" {
			t.rec = latestTalk(app, a.Id)
		} else if latest, _ := app.FindRecordsByFilter(coll, "application = {:a}", "-created", 1, 0, map[string]any{"a": a.Id}); len(latest) > 0 {
			t.rec = latest[0]
		}
		if t.rec != nil {
			t.checks = append(t.checks, t.rec)
		}
	default:
		return nil, router.NewNotFoundError("没有这种表格："+form.Name+"。", nil)
	}
	return t, nil
}

// latestTalk is the application's latest held talk, else its latest
// scheduled one, else nil.
func latestTalk(app core.App, appID string) *core.Record {
	params := map[string]any{"a": appID}
	if held, _ := app.FindRecordsByFilter(collections.Talks, "application = {:a} && outcome != ''", "-held_at,-created", 1, 0, params); len(held) > 0 {
		return held[0]
	}
	if scheduled, _ := app.FindRecordsByFilter(collections.Talks, "application = {:a}", "-created", 1, 0, params); len(scheduled) > 0 {
		return scheduled[0]
	}
	return nil
}

// signatures are an application's co-signatures in signing order.
func signatures(app core.App, appID string) ([]*core.Record, error) {
	var out []*core.Record
	err := app.RecordQuery(collections.Signatures).
		AndWhere(dbxHash(collections.SigApplication, appID)).
		OrderBy(collections.SigSignedAt+" ASC", collections.FieldCreated+" ASC", "rowid ASC").
		All(&out)
	if err != nil {
		return nil, fmt.Errorf("forms: signatures of %s: %w", appID, err)
	}
	return out, nil
}

// stageError is the 409 of a form whose stage t has not reached.
func stageError(t *target) error {
	a := t.app
	switch t.form.Name {
	case "signatures":
		if a.GetString(collections.AppApplicantKind) != collections.ApplicantResidents {
			return conflict("这份申请的约谈主体不是居民联名，没有居民联名签名表。")
		}
	case "notice":
		if a.GetDateTime(collections.AppAcceptedAt).IsZero() {
			if a.GetString(collections.AppStatus) == workflow.StatusDeclined {
				return conflict("这份申请未予受理（按一般来信处理），没有交办通知单。")
			}
			return conflict("这份申请尚未受理，专门工作小组受理后才有交办通知单。")
		}
	case "talk":
		if t.rec == nil {
			return conflict("这份申请尚未商定约谈，还没有约谈情况登记表。")
		}
		if t.rec.GetString(collections.TalkOutcome) == "" {
			return conflict("约谈尚未举行并记录，领导记录约谈情况后才有约谈情况登记表。")
		}
	case "feedback":
		if t.rec == nil {
			return conflict("承办单位尚未提交办理情况反馈，还没有反馈表。")
		}
	}
	return nil
}

// mapper turns records into the pdf package's structs, caching the users
// and orgs it names.
type mapper struct {
	app   core.App
	users map[string]*core.Record
	orgs  map[string]*core.Record
	// err is the first failure to read a name: a form is never printed
	// with blanks where the database failed (a missing record prints blank)
	err error
	// archive maps the archive copies: the co-signature sheet with every
	// resident's phone in full (the sheet that circulates shows them masked)
	archive bool
}

func newMapper(app core.App) *mapper {
	return &mapper{app: app, users: map[string]*core.Record{}, orgs: map[string]*core.Record{}}
}

func (mp *mapper) find(cache map[string]*core.Record, coll, id string) *core.Record {
	if id == "" {
		return nil
	}
	if r, ok := cache[id]; ok {
		return r
	}
	r, err := mp.app.FindRecordById(coll, id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) && mp.err == nil {
		mp.err = fmt.Errorf("forms: reading %s %s: %w", coll, id, err)
	}
	cache[id] = r
	return r
}

func (mp *mapper) user(id string) *core.Record { return mp.find(mp.users, collections.Users, id) }
func (mp *mapper) org(id string) *core.Record  { return mp.find(mp.orgs, collections.Orgs, id) }

func (mp *mapper) userName(id string) string {
	if u := mp.user(id); u != nil {
		return u.GetString(collections.UserName)
	}
	return ""
}

func (mp *mapper) userTitle(id string) string {
	if u := mp.user(id); u != nil {
		return u.GetString(collections.UserTitle)
	}
	return ""
}

func (mp *mapper) orgName(id string) string {
	if o := mp.org(id); o != nil {
		return o.GetString(collections.OrgName)
	}
	return ""
}

// street is the application's street, or its community's parent before
// submission.
func (mp *mapper) street(a *core.Record) string {
	if s := a.GetString(collections.AppStreet); s != "" {
		return mp.orgName(s)
	}
	if c := mp.org(a.GetString(collections.AppCommunity)); c != nil {
		return mp.orgName(c.GetString(collections.OrgParent))
	}
	return ""
}

// applicant is the 申报主体 as the later forms print it: the community or
// cooperative, or its residents when they co-signed.
func (mp *mapper) applicant(a *core.Record) string {
	name := mp.orgName(a.GetString(collections.AppCommunity))
	if a.GetString(collections.AppApplicantKind) == collections.ApplicantResidents {
		return name + "居民（联名）"
	}
	return name
}

// local returns a record's date field in Shanghai time, or the zero time.
func local(r *core.Record, field string) time.Time {
	if r == nil {
		return time.Time{}
	}
	t := r.GetDateTime(field).Time()
	if t.IsZero() {
		return time.Time{}
	}
	return t.In(workdays.Shanghai)
}

// str is a record's text field, "" for a nil record.
func str(r *core.Record, field string) string {
	if r == nil {
		return ""
	}
	return r.GetString(field)
}

// dbxHash is an equality condition on one column.
func dbxHash(column, value string) dbx.Expression { return dbx.HashExp{column: value} }

// mapTarget maps t (whose stage has been reached) to its form.
func (mp *mapper) mapTarget(t *target) (*mapped, error) {
	return mp.checked(mp.mapRecords(t))
}

// checked returns m unless a name could not be read while mapping it.
func (mp *mapper) checked(m *mapped, err error) (*mapped, error) {
	if err == nil && mp.err != nil {
		return nil, mp.err
	}
	return m, err
}

func (mp *mapper) mapRecords(t *target) (*mapped, error) {
	switch t.form.Name {
	case "application":
		return mp.application(t.app)
	case "signatures":
		return mp.signatures(t.app)
	case "notice":
		return mp.notice(t.app)
	case "talk":
		return mp.talk(t.app, t.rec)
	case "feedback":
		return mp.feedback(t.app, t.rec)
	}
	return nil, fmt.Errorf("forms: cannot map %q", t.form.Name)
}

func newMapped(form string, rec *core.Record, serial string, meta *pdf.Meta, data any, render func(io.Writer) error) *mapped {
	f, _ := formByName(form)
	meta.Serial = serial
	return &mapped{form: f, collection: rec.Collection().Name, recordID: rec.Id, serial: serial, meta: meta, data: data, render: render}
}

func (mp *mapper) application(a *core.Record) (*mapped, error) {
	street, group, err := mp.opinions(a.Id)
	if err != nil {
		return nil, err
	}
	d := &pdf.ApplicationData{
		ApplicantName:     mp.orgName(a.GetString(collections.AppCommunity)),
		ApplicantKind:     a.GetString(collections.AppApplicantKind),
		Street:            mp.street(a),
		ContactName:       a.GetString(collections.AppContactName),
		ContactPhone:      a.GetString(collections.AppContactPhone),
		LeaderName:        mp.userName(a.GetString(collections.AppTargetLeader)),
		LeaderTitle:       mp.userTitle(a.GetString(collections.AppTargetLeader)),
		Subject:           a.GetString(collections.AppSubject),
		Category:          a.GetString(collections.AppCategory),
		Description:       a.GetString(collections.AppDescription),
		Request:           a.GetString(collections.AppRequest),
		AffectedResidents: a.GetInt(collections.AppAffectedCount),
		TalkForm:          a.GetString(collections.AppTalkForm),
		Urgent:            a.GetBool(collections.AppUrgent),
		SubmittedAt:       local(a, collections.AppSubmittedAt),
		StreetOpinion:     street,
		GroupOpinion:      group,
	}
	for _, id := range a.GetStringSlice(collections.AppIssues) {
		is, err := mp.app.FindRecordById(collections.Issues, id)
		if err != nil {
			continue
		}
		d.Issues = append(d.Issues, pdf.LinkedIssue{Title: is.GetString(collections.IssueTitle), Address: is.GetString(collections.IssueAddress)})
	}
	return newMapped("application", a, a.GetString(collections.AppSerial), &d.Meta, d,
		func(w io.Writer) error { return pdf.RenderApplication(w, *d) }), nil
}

// Street and working-group decisions, as the audit trail records them.
var (
	streetActions = []string{"forward", "street_resolve", "return"}
	groupActions  = []string{"accept", "decline"}
)

// opinions reads the street's and the working group's decisions on the
// application from its events: the latest of each since the latest
// submission (a returned and resubmitted application starts afresh).
func (mp *mapper) opinions(appID string) (street, group pdf.Opinion, err error) {
	var events []*core.Record
	err = mp.app.RecordQuery(collections.Events).
		AndWhere(dbxHash(collections.EvApplication, appID)).
		AndWhere(dbxHash(collections.EvRecordCollection, collections.Applications)).
		OrderBy(collections.FieldCreated+" ASC", "rowid ASC").
		All(&events)
	if err != nil {
		return street, group, fmt.Errorf("forms: events of %s: %w", appID, err)
	}
	for _, ev := range events {
		action := ev.GetString(collections.EvAction)
		op := pdf.Opinion{
			Text:   opinionText(action, ev.GetString(collections.EvNote)),
			Signer: ev.GetString(collections.EvActorName),
			Date:   local(ev, collections.FieldCreated),
		}
		switch {
		case action == "submit":
			street, group = pdf.Opinion{}, pdf.Opinion{}
		case slices.Contains(streetActions, action):
			street = op
		case slices.Contains(groupActions, action):
			group = op
		}
	}
	return street, group, nil
}

// opinionText is a decision's note, or the move's label when no note was
// written.
func opinionText(action, note string) string {
	if note = strings.TrimSpace(note); note != "" {
		return note
	}
	if t, ok := lo.Find(workflow.Table, func(t workflow.Transition) bool { return t.Action == action }); ok {
		return t.Label + "。"
	}
	return ""
}

func (mp *mapper) signatures(a *core.Record) (*mapped, error) {
	sigs, err := signatures(mp.app, a.Id)
	if err != nil {
		return nil, err
	}
	d := &pdf.SignaturesData{
		Subject:   a.GetString(collections.AppSubject),
		Community: mp.orgName(a.GetString(collections.AppCommunity)),
		Street:    mp.street(a),
		Archive:   mp.archive,
	}
	var fsys *filesystem.System
	for _, s := range sigs {
		signer := pdf.Signer{
			Name:     s.GetString(collections.SigName),
			Address:  s.GetString(collections.SigAddress),
			Phone:    s.GetString(collections.SigPhone),
			SignedAt: local(s, collections.SigSignedAt),
		}
		if name := s.GetString(collections.SigImage); name != "" {
			if fsys == nil {
				if fsys, err = mp.app.NewFilesystem(); err != nil {
					return nil, fmt.Errorf("forms: filesystem: %w", err)
				}
				defer fsys.Close()
			}
			signer.Signature, err = readSignature(fsys, s.BaseFilesPath()+"/"+name, len(d.Signers)+1, signer.Name)
			if err != nil {
				return nil, fmt.Errorf("forms: signature image of %s: %w", s.GetString(collections.SigName), err)
			}
		}
		d.Signers = append(d.Signers, signer)
	}
	m := newMapped("signatures", a, a.GetString(collections.AppSerial), &d.Meta, d,
		func(w io.Writer) error { return pdf.RenderSignatures(w, *d) })
	m.archive = mp.archive
	return m, nil
}

func (mp *mapper) notice(a *core.Record) (*mapped, error) {
	leader := a.GetString(collections.AppAssignedLeader)
	summary := a.GetString(collections.AppDescription)
	if strings.TrimSpace(summary) == "" {
		summary = a.GetString(collections.AppRequest)
	}
	d := &pdf.NoticeData{
		LeaderName:       mp.userName(leader),
		LeaderTitle:      mp.userTitle(leader),
		ApplicantName:    mp.applicant(a),
		Subject:          a.GetString(collections.AppSubject),
		Category:         a.GetString(collections.AppCategory),
		Summary:          summary,
		AcceptedAt:       local(a, collections.AppAcceptedAt),
		DeliveredAt:      local(a, collections.AppNotifiedAt),
		ScheduleDeadline: local(a, collections.AppScheduleDue),
		IssuedAt:         local(a, collections.AppAcceptedAt),
	}
	return newMapped("notice", a, a.GetString(collections.AppSerial), &d.Meta, d,
		func(w io.Writer) error { return pdf.RenderNotice(w, *d) }), nil
}

func (mp *mapper) talk(a, t *core.Record) (*mapped, error) {
	leader := t.GetString(collections.TalkLeader)
	if leader == "" {
		leader = a.GetString(collections.AppAssignedLeader)
	}
	d := &pdf.TalkData{
		Subject:           a.GetString(collections.AppSubject),
		ApplicantName:     mp.applicant(a),
		HeldAt:            local(t, collections.TalkHeldAt),
		Place:             t.GetString(collections.TalkPlace),
		TalkForm:          t.GetString(collections.TalkForm),
		LeaderName:        mp.userName(leader),
		LeaderTitle:       mp.userTitle(leader),
		Participants:      t.GetString(collections.TalkParticipants),
		Points:            t.GetString(collections.TalkRecord),
		Answer:            t.GetString(collections.TalkResponse),
		Outcome:           t.GetString(collections.TalkOutcome),
		HandlingUnit:      mp.orgName(t.GetString(collections.TalkHandlingUnit)),
		ResponsiblePerson: mp.userName(t.GetString(collections.TalkResponsible)),
		HandlingDeadline:  local(t, collections.TalkHandlingDue),
		Recorder:          t.GetString(collections.TalkRecorder),
	}
	return newMapped("talk", t, a.GetString(collections.AppSerial), &d.Meta, d,
		func(w io.Writer) error { return pdf.RenderTalk(w, *d) }), nil
}

func (mp *mapper) feedback(a, fb *core.Record) (*mapped, error) {
	var talk *core.Record
	if id := fb.GetString(collections.FbTalk); id != "" {
		talk, _ = mp.app.FindRecordById(collections.Talks, id)
	}
	leader := a.GetString(collections.AppAssignedLeader)
	responsible := mp.userName(str(talk, collections.TalkResponsible))
	if responsible == "" {
		responsible = mp.userName(fb.GetString(collections.FbSubmittedBy))
	}
	// the matter's deadline as it stands (an approved extension moved it), else the talk's
	deadline := local(a, collections.AppHandlingDue)
	if deadline.IsZero() {
		deadline = local(talk, collections.TalkHandlingDue)
	}
	d := &pdf.FeedbackData{
		Subject:           a.GetString(collections.AppSubject),
		ApplicantName:     mp.applicant(a),
		LeaderName:        mp.userName(leader),
		LeaderTitle:       mp.userTitle(leader),
		Unit:              mp.orgName(fb.GetString(collections.FbUnit)),
		ResponsiblePerson: responsible,
		AssignedAt:        local(talk, collections.TalkHeldAt),
		Deadline:          deadline,
		CompletedAt:       local(fb, collections.FbCompletedOn),
		Measures:          fb.GetString(collections.FbMeasures),
		Result:            fb.GetString(collections.FbResult),
		RepliedAt:         local(fb, collections.FbRepliedOn),
		Satisfaction:      fb.GetString(collections.FbSatisfaction),
		Proof:             proofNames(fb.GetStringSlice(collections.FbProof)),
	}
	switch decision := fb.GetString(collections.FbLeaderDecision); decision {
	case workflow.DecisionApproved, workflow.DecisionReturned:
		text := strings.TrimSpace(fb.GetString(collections.FbLeaderComment))
		if text == "" {
			text = map[string]string{workflow.DecisionApproved: "同意。", workflow.DecisionReturned: "退回重新办理。"}[decision]
		}
		d.LeaderApproval = pdf.Opinion{Text: text, Signer: mp.decidedBy(fb, leader), Date: local(fb, collections.FbDecidedAt)}
	}
	if !d.RepliedAt.IsZero() {
		d.Applicant = pdf.Opinion{Text: fb.GetString(collections.FbApplicantComment), Date: d.RepliedAt}
	}
	return newMapped("feedback", fb, a.GetString(collections.AppSerial), &d.Meta, d,
		func(w io.Writer) error { return pdf.RenderFeedback(w, *d) }), nil
}

// decidedBy names the leader who approved or returned the feedback, from
// the audit trail; the assigned leader when the trail does not say.
func (mp *mapper) decidedBy(fb *core.Record, leader string) string {
	ev, err := mp.app.FindFirstRecordByFilter(collections.Events,
		"record_collection = 'feedback' && record_id = {:id} && (action = 'approve_feedback' || action = 'return_feedback')",
		map[string]any{"id": fb.Id})
	if err == nil && ev.GetString(collections.EvActorName) != "" {
		return ev.GetString(collections.EvActorName)
	}
	return mp.userName(leader)
}

// storedSuffix is what PocketBase adds to an uploaded file's name.
var storedSuffix = regexp.MustCompile(`_[a-z0-9]{10}(\.[^.]*)?$`)

// proofNames are the proof files' names as uploaded (PocketBase's random
// suffix dropped).
func proofNames(stored []string) []string {
	out := make([]string, len(stored))
	for i, n := range stored {
		out[i] = storedSuffix.ReplaceAllString(n, "$1")
	}
	return out
}
