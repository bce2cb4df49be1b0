package privacy_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
)

// TestRecordsShowWhatTheTableSays lists every collection holding personal
// fields as every role and checks each personal field is shown on exactly
// the records collections.PersonalFields says: all of them (SeesAll and
// SeesListed: the list gives only listed records), the caller's own
// (SeesOwn), none (SeesNone). The enrich hook and the filter guard read
// that one table, so this is also what the guard assumes.
func TestRecordsShowWhatTheTableSays(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	for _, who := range everyone[1:] {
		auth := w.env.User(who)
		for _, p := range collections.PersonalFields {
			res := w.env.Do(http.MethodGet, "/api/collections/"+p.Collection+"/records?perPage=500", who, nil)
			if res.Status != http.StatusOK {
				t.Fatalf("%s lists %s: %d", who, p.Collection, res.Status)
			}
			var body struct{ Items []map[string]any }
			if err := json.Unmarshal(res.Body, &body); err != nil {
				t.Fatal(err)
			}
			for _, f := range p.Fields {
				sight := collections.SightOf(auth, p.Collection, f)
				shown := 0
				for _, it := range body.Items {
					_, has := it[f]
					want := sight == collections.SeesAll || sight == collections.SeesListed ||
						(sight == collections.SeesOwn && it["id"] == auth.Id)
					if has != want {
						t.Errorf("%s: %s.%s of %v shown=%v, sight %d", who, p.Collection, f, it["id"], has, sight)
					}
					if has {
						shown++
					}
				}
				t.Logf("%s: %s.%s shown on %d of %d listed", who, p.Collection, f, shown, len(body.Items))
			}
		}
	}
}

// TestExpandAndFieldsHideToo checks residents' details and staff phones
// stay hidden on expanded relations and whatever fields a caller picks.
func TestExpandAndFieldsHideToo(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		who, url string
		absent   []string // substrings the answer must not hold
		present  string   // a substring it must hold (the expansion happened)
	}{
		{secretary, "/api/collections/applications/records/" + w.appA.Id + "?expand=issues", []string{nameA, phoneA, collections.IssueResidentName}, "隐私测试问题"},
		{secretary, "/api/collections/applications/records/" + w.appA.Id + "?expand=issues&fields=" + url.QueryEscape("expand.issues.resident_name,expand.issues.resident_phone,expand.issues.title"), []string{nameA, phoneA}, "隐私测试问题"},
		{handler, "/api/collections/talks/records?expand=" + url.QueryEscape("application.issues,application.target_leader"), []string{nameA, phoneA, secretaryPhone}, "隐私测试问题"},
		{grid, "/api/collections/issues/records?expand=collected_by&filter=" + url.QueryEscape(`title = "隐私测试问题"`), []string{staffPhone}, "陈静"},
		{secretary, "/api/collections/issues/records?expand=" + url.QueryEscape("issues_via_application") + "&filter=" + url.QueryEscape(`title = "隐私测试问题"`), []string{nameA, phoneA}, "隐私测试问题"},
		{secretary, "/api/collections/orgs/records/" + w.env.Org("DL-HC").Id + "?expand=" + url.QueryEscape("users_via_org"), []string{staffPhone, "staff@yuetan.example"}, "陈静"},
		{wg, "/api/collections/users/records/" + w.env.User(staff).Id, []string{"staff@yuetan.example"}, staffPhone},
	}
	for _, c := range cases {
		res := w.env.Do(http.MethodGet, c.url, c.who, nil)
		if res.Status != http.StatusOK {
			t.Errorf("%s %s: %d %s", c.who, c.url, res.Status, res)
			continue
		}
		for _, s := range c.absent {
			if strings.Contains(res.String(), s) {
				t.Errorf("%s %s shows %q: %.300s", c.who, c.url, s, res)
			}
		}
		if !strings.Contains(res.String(), c.present) {
			t.Errorf("%s %s: %q missing (nothing expanded?): %.300s", c.who, c.url, c.present, res)
		}
	}
}

// TestEnrichHidesBeyondListScope enriches records as PocketBase does for
// any answer and checks a caller who sees residents only on its list
// rule's records does not see them on another community's issue handed to
// it (one enrich call checks all its records with one query).
func TestEnrichHidesBeyondListScope(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		who  string
		want map[string]bool // issue id → resident shown
	}{
		{grid, map[string]bool{w.issueA.Id: true, w.issueB.Id: true, w.issueX.Id: false}},
		{street, map[string]bool{w.issueA.Id: true, w.issueB.Id: true, w.issueX.Id: false}},
		{wg, map[string]bool{w.issueA.Id: true, w.issueB.Id: true, w.issueX.Id: true}},
		{secretary, map[string]bool{w.issueA.Id: false, w.issueB.Id: false, w.issueX.Id: false}},
		{guest, map[string]bool{w.issueA.Id: false, w.issueB.Id: false, w.issueX.Id: false}},
	}
	for _, c := range cases {
		var recs []*core.Record
		for _, id := range []string{w.issueA.Id, w.issueX.Id, w.issueB.Id} {
			r, err := w.env.App.FindRecordById(collections.Issues, id)
			if err != nil {
				t.Fatal(err)
			}
			recs = append(recs, r)
		}
		e := &core.RequestEvent{App: w.env.App}
		e.Request = httptest.NewRequest(http.MethodGet, "/", nil)
		if c.who != guest {
			e.Auth = w.env.User(c.who)
		}
		if err := apis.EnrichRecords(e, recs); err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			raw, _ := json.Marshal(r)
			shown := strings.Contains(string(raw), collections.IssueResidentName)
			if shown != c.want[r.Id] {
				t.Errorf("%s: resident of %s shown=%v, want %v", c.who, r.GetString(collections.IssueCommunity), shown, c.want[r.Id])
			}
		}
	}
}
