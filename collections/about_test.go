package collections_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/workflow"
)

// demoCallers is every demo account and the superuser.
func demoCallers() []string {
	out := []string{demo.SuperuserEmail}
	for _, a := range demo.Accounts {
		out = append(out, a.Email)
	}
	return out
}

// listAll lists every record of collection email may list, page by page.
func listAll(t *testing.T, env *testenv.Env, collection, email string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for page := 1; ; page++ {
		res := env.Do("GET", fmt.Sprintf("/api/collections/%s/records?perPage=500&page=%d", collection, page), email, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("%s lists %s: %d %s", email, collection, res.Status, res)
		}
		body := res.JSON(t)
		items, _ := body["items"].([]any)
		for _, it := range items {
			out = append(out, it.(map[string]any))
		}
		if float64(page) >= body["totalPages"].(float64) {
			return out
		}
	}
}

// aboutApplications lists the collections whose records are about one
// application (its relation's name): what they show is the application's
// story. Issues are not among them: an issue belongs to its community, and
// its community sees it whatever became of the application it went into.
func aboutApplications(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range collections.All() {
		if c.Name == collections.Applications || c.Name == collections.Issues {
			continue
		}
		for _, f := range c.Fields {
			if rel, ok := f.(*core.RelationField); ok && rel.CollectionId == collections.ApplicationsID {
				out[c.Name] = rel.Name
			}
		}
	}
	for _, want := range []string{collections.Events, collections.Supervisions, collections.Talks, collections.Feedback, collections.Signatures} {
		if out[want] == "" {
			t.Fatalf("%s does not point at applications", want)
		}
	}
	return out
}

// TestRecordsAboutAnApplicationShowNoMore gives every application of the
// demo district, in every state (drafts, submitted, declined, resolved by
// the street, in handling, closed), an audit event and a supervision, runs
// the deadline job, and checks for every demo account that each record it
// may list of a collection pointing at applications (events, supervisions,
// talks, feedback, signatures) names only applications that
// account may view over REST: a leader named only as an application's
// target sees neither the application nor what is recorded about it.
func TestRecordsAboutAnApplicationShowNoMore(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	if _, err := deadlines.Supervise(env.App, time.Now()); err != nil {
		t.Fatal(err)
	}
	apps, err := env.App.FindAllRecords(collections.Applications)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]bool{}
	for _, a := range apps {
		states[a.GetString(collections.AppStatus)] = true
		for _, rec := range []struct {
			coll string
			data map[string]any
		}{
			{collections.Events, map[string]any{collections.EvApplication: a.Id, collections.EvAction: "probe",
				collections.EvNote: "街道内部意见"}},
			{collections.Supervisions, map[string]any{collections.SupApplication: a.Id, collections.SupKind: collections.SupCriticism,
				collections.SupNote: "督办探测"}},
			// a co-signer on every matter, in every state: read with its application only
			{collections.Signatures, map[string]any{collections.SigApplication: a.Id, collections.SigName: "探测居民",
				collections.SigAddress: "1幢101", collections.SigPhone: "13900000000"}},
		} {
			c, err := env.App.FindCachedCollectionByNameOrId(rec.coll)
			if err != nil {
				t.Fatal(err)
			}
			r := core.NewRecord(c)
			r.Load(rec.data)
			if err := env.SaveAsSystem(r); err != nil {
				t.Fatalf("%s for %s: %v", rec.coll, a.Id, err)
			}
		}
	}
	for _, s := range []string{workflow.StatusDraft, workflow.StatusSubmitted, workflow.StatusDeclined, workflow.StatusClosed} {
		if !states[s] {
			t.Fatalf("the demo has no %s application to probe", s)
		}
	}

	about := aboutApplications(t)
	for _, email := range demoCallers() {
		viewable := map[string]bool{}
		for _, a := range apps {
			res := env.Do("GET", "/api/collections/applications/records/"+a.Id, email, nil)
			switch res.Status {
			case http.StatusOK:
				viewable[a.Id] = true
			case http.StatusNotFound, http.StatusForbidden:
			default:
				t.Fatalf("%s views application %s: %d %s", email, a.Id, res.Status, res)
			}
		}
		for _, coll := range sortedKeys(about) {
			field := about[coll]
			for _, rec := range listAll(t, env, coll, email) {
				app, _ := rec[field].(string)
				if app == "" || viewable[app] {
					continue
				}
				t.Errorf("%s lists %s %s about application %s (%s), which it may not view",
					email, coll, rec["id"], app, statusOf(apps, app))
			}
		}
	}
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func statusOf(apps []*core.Record, id string) string {
	for _, a := range apps {
		if a.Id == id {
			return a.GetString(collections.AppStatus)
		}
	}
	return "?"
}
