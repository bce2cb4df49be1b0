package workflow

import (
	"fmt"
	"slices"
	"strings"
)

// Requirement is one condition a draft must meet before its community
// submits it, or one piece of advice. The server refuses a submission that
// fails a requirement; the field app shows the same list, offline, before
// the staff press 报送 (it reads this table from GET /api/workflow).
type Requirement struct {
	Code  string `json:"code"`
	Field string `json:"field"`
	// Test is what is checked of Field: "filled" (not empty), "unset"
	// (false or empty), "fits_org" (an applicant kind the applying org may
	// use), "co_signers" (at least MinCoSigners distinct residents for a
	// residents' application), "few" (at most Max values).
	Test string `json:"test"`
	Max  int    `json:"max,omitempty"`
	// Advice does not stop a submission; it is only shown.
	Advice bool `json:"advice,omitempty"`
	// Message is what people read when the test fails; for co_signers it
	// takes the minimum, the count and how many are missing (%[1]d, %[2]d,
	// %[3]d), for fits_org the org kind's own message (see FitsOrg).
	Message string `json:"message"`
	// Met, when set, is shown when the test passes (with the same values).
	Met string `json:"met,omitempty"`
}

// Eligibility is every requirement of a submission, in the order shown.
var Eligibility = []Requirement{
	{Code: "subject_required", Field: "subject", Test: "filled", Message: "请填写约谈事项。"},
	{Code: "category_required", Field: "category", Test: "filled", Message: "请选择内容类别（四类之一）。"},
	{Code: "leader_required", Field: "target_leader", Test: "filled", Message: "请选择约谈对象：区四套班子领导或区管党政正职。"},
	{Code: "applicant_kind_required", Field: "applicant_kind", Test: "filled", Message: "请选择约谈主体。"},
	{Code: "applicant_kind_mismatch", Field: "applicant_kind", Test: "fits_org"},
	{Code: "not_enough_cosigners", Field: "status", Test: "co_signers", Message: "居民联名申请须有%[1]d位以上居民签名，目前%[2]d位，还差%[3]d位居民签名。",
		Met: "已有 %[2]d 位居民签名。"},
	// not a talk, but still the working group's to decline and answer as
	// an ordinary letter (不作受理的，视情作一般来信处理，并做好反馈工作)
	{Code: "litigation_or_petition", Field: "litigation_or_petition", Test: "unset", Advice: true, Message: "涉法涉访事项不列入群众约谈：报送后专门工作小组将按一般来信处理并反馈。"},
	{Code: "issues_suggested", Field: "issues", Test: "filled", Advice: true, Message: "建议关联收集到的问题，便于追踪。"},
	{Code: "one_matter", Field: "issues", Test: "few", Max: 3, Advice: true, Message: "一事一案：一份申请只提一件事项，所选问题应属同一事项。"},
	{Code: "talk_form_suggested", Field: "talk_form", Test: "filled", Advice: true, Message: "可选择希望的约谈形式。"},
}

// FitsOrg lists, per kind of applying org, the applicant kinds it may use
// and what people read otherwise.
var FitsOrg = map[string]struct {
	Kinds   []string `json:"kinds"`
	Message string   `json:"message"`
}{
	"community":   {[]string{ApplicantCommunity, ApplicantResidents}, "社区提出的申请，约谈主体应为“社区”或“居民联名”。"},
	"cooperative": {[]string{ApplicantCooperative, ApplicantResidents}, "股份经济合作社提出的申请，约谈主体应为“股份经济合作社”或“居民联名”。"},
}

// Draft is what the requirements look at: the application's fields by
// name, the kind of the applying org and its distinct co-signers.
type Draft struct {
	Fields    map[string]any
	OrgKind   string
	CoSigners int
}

// Check is one requirement's outcome for a draft.
type Check struct {
	Code    string `json:"code"`
	Field   string `json:"field"`
	Kind    string `json:"kind"` // "bad" (stops the submission), "hint", "ok"
	Message string `json:"message"`
}

// Eligible is what people read of a draft that meets every requirement.
const Eligible = "可以报送街道。"

// CheckEligibility lists the failed requirements of d in table order (led
// by Eligible when none stops the submission), and for a residents'
// application how many co-signers it has.
func CheckEligibility(d Draft) []Check {
	var out []Check
	for _, r := range Eligibility {
		v := d.Fields[r.Field]
		kind := "bad"
		if r.Advice {
			kind = "hint"
		}
		fail := func(msg string) { out = append(out, Check{r.Code, r.Field, kind, msg}) }
		switch r.Test {
		case "filled":
			if !filled(v) {
				fail(r.Message)
			}
		case "unset":
			if filled(v) {
				fail(r.Message)
			}
		case "few":
			if n := count(v); n > r.Max {
				fail(r.Message)
			}
		case "fits_org":
			fit, ok := FitsOrg[d.OrgKind]
			if k := str(v); ok && k != "" && !slices.Contains(fit.Kinds, k) {
				fail(fit.Message)
			}
		case "co_signers":
			if str(d.Fields["applicant_kind"]) != ApplicantResidents {
				continue
			}
			if need := MinCoSigners - d.CoSigners; need > 0 {
				fail(fmt.Sprintf(r.Message, MinCoSigners, d.CoSigners, need))
			} else {
				out = append(out, Check{r.Code, r.Field, "ok", fmt.Sprintf(r.Met, MinCoSigners, d.CoSigners, 0)})
			}
		}
	}
	if _, bad := Refusal(out); !bad {
		out = append([]Check{{Code: "eligible", Kind: "ok", Message: Eligible}}, out...)
	}
	return out
}

// Refusal returns the first check that stops the submission, if any.
func Refusal(checks []Check) (Check, bool) {
	for _, c := range checks {
		if c.Kind == "bad" {
			return c, true
		}
	}
	return Check{}, false
}

func str(v any) string {
	s, _ := v.(string)
	return strings.TrimSpace(s)
}

func count(v any) int {
	switch l := v.(type) {
	case []string:
		return len(l)
	case []any:
		return len(l)
	case string:
		if l == "" {
			return 0
		}
		return 1
	}
	return 0
}

func filled(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return strings.TrimSpace(x) != ""
	case float64:
		return x != 0
	case int:
		return x != 0
	}
	return count(v) > 0
}
