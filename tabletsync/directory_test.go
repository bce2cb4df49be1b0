package tabletsync_test

import (
	"context"
	"reflect"
	"testing"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/savectx"
)

// TestPullBringsReferencedDirectory: a record a tablet already follows
// comes to reference a user and an org outside its directory (another
// community's grid worker is named as the issue's collector): the next
// incremental pull brings them, although their own feed rows are older
// than the tablet's cursor, and the tablet then holds what a fresh full
// sync gets. Another community's tablet, which does not see the issue,
// is not handed them.
func TestPullBringsReferencedDirectory(t *testing.T) {
	env := testenv.New(t)
	f := env.Fixture()
	r, other := replica{}, replica{}
	cursor, _ := pullAll(t, env, gridEmail, "", 0, r)
	otherCursor, _ := pullAll(t, env, "staff2@yuetan.example", "", 0, other)
	stranger := env.User("grid2@yuetan.example")
	strangerOrg := stranger.GetString(collections.UserOrg)
	if r["users/"+stranger.Id] != nil || r["orgs/"+strangerOrg] != nil {
		t.Fatal("the tablet already holds another community's grid worker")
	}
	mine := env.User(gridEmail).GetString(collections.UserOrg)
	issue := f.Issues.Own
	if issue.GetString(collections.IssueCommunity) != mine {
		t.Fatal("fixture: the issue is not the grid worker's community's")
	}
	rec, _ := env.App.FindRecordById(collections.Issues, issue.Id)
	rec.Set(collections.IssueCollectedBy, stranger.Id)
	if err := env.App.SaveWithContext(savectx.WithActor(context.Background(), savectx.System), rec); err != nil {
		t.Fatal(err)
	}
	pullAll(t, env, gridEmail, cursor, 0, r)
	if r["users/"+stranger.Id] == nil || r["orgs/"+strangerOrg] == nil {
		t.Fatalf("the referenced user and org did not come: user %v org %v", r["users/"+stranger.Id] != nil, r["orgs/"+strangerOrg] != nil)
	}
	fresh := replica{}
	pullAll(t, env, gridEmail, "", 0, fresh)
	if !reflect.DeepEqual(keys(fresh), keys(r)) {
		t.Fatal("incremental replica differs from a fresh one")
	}
	before := len(other)
	pullAll(t, env, "staff2@yuetan.example", otherCursor, 0, other)
	if other["issues/"+issue.Id] != nil || len(other) != before {
		t.Fatalf("another community's tablet got %d new records", len(other)-before)
	}
}
