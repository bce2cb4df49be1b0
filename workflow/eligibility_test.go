package workflow

import (
	"strings"
	"testing"
)

func codes(cs []Check) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Kind+":"+c.Code)
	}
	return strings.Join(out, " ")
}

func TestCheckEligibility(t *testing.T) {
	ready := map[string]any{"subject": "排涝", "category": CategoryCommunityBuilding, "target_leader": "u1",
		"applicant_kind": ApplicantCommunity, "issues": []string{"i1"}, "talk_form": TalkVisit}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range ready {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for _, c := range []struct {
		name string
		d    Draft
		want string
	}{
		{"ready", Draft{Fields: ready, OrgKind: "community"}, "ok:eligible"},
		{"no subject", Draft{Fields: with("subject", "  "), OrgKind: "community"}, "bad:subject_required"},
		{"cooperative kind in a community", Draft{Fields: with("applicant_kind", ApplicantCooperative), OrgKind: "community"}, "bad:applicant_kind_mismatch"},
		{"residents short of co-signers", Draft{Fields: with("applicant_kind", ApplicantResidents), OrgKind: "community", CoSigners: 9}, "bad:not_enough_cosigners"},
		{"residents enough", Draft{Fields: with("applicant_kind", ApplicantResidents), OrgKind: "cooperative", CoSigners: 10}, "ok:eligible ok:not_enough_cosigners"},
		{"litigation is advice", Draft{Fields: with("litigation_or_petition", true), OrgKind: "community"}, "ok:eligible hint:litigation_or_petition"},
		{"four issues", Draft{Fields: with("issues", []any{"a", "b", "c", "d"}), OrgKind: "community"}, "ok:eligible hint:one_matter"},
		{"nothing", Draft{Fields: map[string]any{}, OrgKind: "community"},
			"bad:subject_required bad:category_required bad:leader_required bad:applicant_kind_required hint:issues_suggested hint:talk_form_suggested"},
	} {
		got := CheckEligibility(c.d)
		if codes(got) != c.want {
			t.Errorf("%s: %s, want %s", c.name, codes(got), c.want)
		}
	}
	short := CheckEligibility(Draft{Fields: with("applicant_kind", ApplicantResidents), OrgKind: "community", CoSigners: 7})
	if r, _ := Refusal(short); r.Message != "居民联名申请须有10位以上居民签名，目前7位，还差3位居民签名。" {
		t.Errorf("co-signer message %q", r.Message)
	}
}
