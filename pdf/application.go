package pdf

import (
	"io"
	"strings"
	"time"

	"yuetan/workflow"
)

// Layout of the application form (群众约谈登记申报表).
const (
	appTitle    = "群众约谈登记申报表"
	appLabelW   = 27.0 // label column
	appHalfW    = 58.0 // value column of a half-width row
	appFullW    = contentW - appLabelW
	appDescMinH = 36.0 // 情况说明
	appReqMinH  = 18.0 // 具体诉求
	appStampH   = 22.0 // 申报单位盖章
	appOpinionH = 28.0 // 街道意见, 专门工作小组意见
)

// The keys the forms take are the workflow vocabulary's values, and the
// tick boxes print its labels (the printed wording where it has one), so
// a value added there is on the paper too.
const (
	ApplicantCommunity   = workflow.ApplicantCommunity   // 社区
	ApplicantCooperative = workflow.ApplicantCooperative // 股份经济合作社
	ApplicantResidents   = workflow.ApplicantResidents   // 居民联名

	CategoryPartyGovWork      = workflow.CategoryPartyGovWork      // 对党委政府工作的意见建议
	CategoryCadreConduct      = workflow.CategoryCadreConduct      // 干部作风和效能建设
	CategoryCommunityBuilding = workflow.CategoryCommunityBuilding // 本社区建设
	CategoryOtherHot          = workflow.CategoryOtherHot          // 其他热点难点问题

	TalkInvite     = workflow.TalkInvite     // 请上来谈
	TalkVisit      = workflow.TalkVisit      // 上门约谈
	TalkGroup      = workflow.TalkGroup      // 集体约谈
	TalkIndividual = workflow.TalkIndividual // 单独约谈
	TalkJoint      = workflow.TalkJoint      // 联合约谈
)

// The options are read from the vocabulary at each rendering, so a value
// added there is ticked on the next form printed.
func applicantKinds() []option { return printed(workflow.ApplicantKinds) }
func categories() []option     { return printed(workflow.CategoryTerms) }
func talkForms() []option      { return printed(workflow.TalkFormTerms) }

// ApplicationData is what the application form (《群众约谈登记申报表》)
// prints. Keys (ApplicantKind, Category, TalkForm) take the constants
// above; an empty key ticks nothing, an unknown one is an error.
type ApplicationData struct {
	Meta
	ApplicantName     string        // 申报主体: the community or cooperative, e.g. "划船社区"
	ApplicantKind     string        // ApplicantCommunity, ApplicantCooperative or ApplicantResidents
	Street            string        // 所属街道
	ContactName       string        // 联系人
	ContactPhone      string        // 联系电话
	LeaderName        string        // 约谈对象: the leader's name
	LeaderTitle       string        // and title, e.g. "区委书记"
	Subject           string        // 约谈事项, one matter (一事一案)
	Category          string        // Category* constant
	Description       string        // 情况说明; any length, flows over pages
	Request           string        // 具体诉求
	AffectedResidents int           // 涉及群众（人）; 0 prints blank
	TalkForm          string        // Talk* constant: the form asked for
	Urgent            bool          // 特殊约谈事项: may be accepted at any time
	Issues            []LinkedIssue // issues collected that this application takes up
	SubmittedAt       time.Time     // date under the applicant's stamp; zero leaves it blank
	StreetOpinion     Opinion       // 街道意见
	GroupOpinion      Opinion       // 专门工作小组意见
}

// LinkedIssue is an issue collected door to door or at a meeting.
type LinkedIssue struct {
	Title   string
	Address string
}

// Opinion is a reviewer's box: recorded text, or blank for hand writing.
type Opinion struct {
	Text   string    // decision notes already recorded; "" leaves the box blank
	Signer string    // name of who signed; "" leaves a line to sign on
	Date   time.Time // zero leaves "年 月 日" blank
}

// signFoot is the signature/stamp/date line at the bottom of a box.
func signFoot(who, name string, stamp bool, t time.Time) string {
	if name == "" {
		name = "　　　　　　"
	}
	s := who + "：" + name
	if stamp {
		s += "　（盖章）"
	}
	return s + "　　" + date(t)
}

// RenderApplication writes the application form as PDF to w.
func RenderApplication(w io.Writer, d ApplicationData) error {
	return render(w, appTitle, d.Meta, func(c *doc) {
		c.checkKey("applicant kind", applicantKinds(), d.ApplicantKind)
		c.checkKey("category", categories(), d.Category)
		c.checkKey("talk form", talkForms(), d.TalkForm)

		affected := ""
		if d.AffectedResidents > 0 {
			affected = itoa(d.AffectedResidents) + " 人"
		}
		urgency := []option{{"urgent", "特殊约谈事项（随时受理）"}}
		urgent := ""
		if d.Urgent {
			urgent = "urgent"
		}
		issues := ""
		if len(d.Issues) > 0 {
			var b strings.Builder
			for i, is := range d.Issues {
				if i > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(itoa(i+1) + ". " + is.Title)
				if is.Address != "" {
					b.WriteString("（" + is.Address + "）")
				}
			}
			issues = b.String()
		}
		contact := strings.TrimSpace(d.ContactName + "　" + d.ContactPhone)
		opinion := func(label string, o Opinion) row {
			c := para(appFullW, o.Text)
			c.foot = signFoot("负责人签字", o.Signer, true, o.Date)
			return row{cells: []cell{lbl(appLabelW, label), c}, minH: appOpinionH}
		}
		stamp := para(appFullW, "")
		stamp.foot = "（盖章）　　" + date(d.SubmittedAt)

		c.table([]row{
			{cells: []cell{lbl(appLabelW, "申报主体"), val(appHalfW, d.ApplicantName),
				lbl(appLabelW, "主体类别"), c.choices(appHalfW, applicantKinds(), d.ApplicantKind)}},
			{cells: []cell{lbl(appLabelW, "所属街道"), val(appHalfW, d.Street),
				lbl(appLabelW, "联系人及电话"), val(appHalfW, contact)}, minH: 10},
			{cells: []cell{lbl(appLabelW, "约谈对象"), val(appFullW, leader(d.LeaderName, d.LeaderTitle))}, minH: 10},
			{cells: []cell{lbl(appLabelW, "约谈事项"), val(appFullW, d.Subject)}, minH: 10},
			{cells: []cell{lbl(appLabelW, "事项类别"), c.choices(appFullW, categories(), d.Category)}},
			{cells: []cell{lbl(appLabelW, "约谈形式"), c.choices(appFullW, talkForms(), d.TalkForm)}},
			{cells: []cell{lbl(appLabelW, "涉及群众"), val(appHalfW, affected),
				lbl(appLabelW, "紧急程度"), c.choices(appHalfW, urgency, urgent)}},
			{cells: []cell{lbl(appLabelW, "情况说明"), para(appFullW, d.Description)}, minH: appDescMinH},
			{cells: []cell{lbl(appLabelW, "具体诉求"), para(appFullW, d.Request)}, minH: appReqMinH},
			{cells: []cell{lbl(appLabelW, "关联问题"), para(appFullW, issues)}, minH: 10},
			{cells: []cell{lbl(appLabelW, "社区盖章"), stamp}, minH: appStampH},
			opinion("街道意见", d.StreetOpinion),
			opinion("专门工作\n小组意见", d.GroupOpinion),
		}, nil)
	})
}
