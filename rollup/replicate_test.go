package rollup_test

import (
	"testing"

	"yuetan/collections"
	"yuetan/rollup"
)

// TestReplicaMatchesDistrict replicates the demo district (with the access
// fixture: one record of every collection in every scope), then creates,
// edits and deletes records (a cascade included) and replicates again:
// every time PostgreSQL holds exactly the district's records, each once,
// with every value equal to what PocketBase's record API reads.
func TestReplicaMatchesDistrict(t *testing.T) {
	pg := newDB(t)
	d := newDistrict(t, "330102")
	f := d.Fixture()
	d.catchUp(pg, rollup.Options{BatchSize: 37})
	assertReplica(t, d, pg, false)

	d.save(collections.Issues, f.Issues.Own.Id, map[string]any{collections.IssueDescription: "补充：积水已三天", collections.IssueLocation: map[string]any{"lon": 120.1, "lat": 30.2}})
	d.save(collections.Applications, f.Applications.Own.Id, map[string]any{collections.AppUrgent: true, collections.AppAffectedCount: 42})
	d.save(collections.Meetings, "", map[string]any{collections.MeetingCommunity: d.Org("DL-HC").Id, collections.MeetingKind: "wuju",
		collections.MeetingHeldOn: "2026-11-20 02:00:00.000Z", collections.MeetingTitle: "新恳谈会", collections.MeetingAttendees: 17})
	if err := d.App.DeleteWithContext(system, f.Issues.Other); err != nil {
		t.Fatal(err)
	}
	if err := d.App.DeleteWithContext(system, f.Drafts.Own); err != nil { // cascades to its signature
		t.Fatal(err)
	}
	c := pgConn(t, pg)
	before := count(t, c, "SELECT count(*) FROM yuetan.signatures WHERE district = '330102'")
	d.catchUp(pg, rollup.Options{BatchSize: 5})
	assertReplica(t, d, pg, false)
	if after := count(t, c, "SELECT count(*) FROM yuetan.signatures WHERE district = '330102'"); after != before-1 {
		t.Errorf("signatures %d → %d, want one fewer (the cascade)", before, after)
	}
	// nothing new: a second catch-up applies nothing
	r, _ := d.replicator(pg, rollup.Options{})
	if n, err := r.CatchUp(t.Context()); err != nil || n != 0 {
		t.Errorf("idle catch-up applied %d (%v)", n, err)
	}
}

// TestSchemaCoversCollections: every field of every replicated collection
// has a PostgreSQL column (a geo point two) or is listed as never leaving
// the district, and every personal column can be NULL. A field added to
// collections/ without a migration fails here.
func TestSchemaCoversCollections(t *testing.T) {
	pg := newDB(t)
	d := newDistrict(t, "330102")
	d.catchUp(pg, rollup.Options{})
	c := pgConn(t, pg)
	for _, coll := range rollup.Collections {
		col, err := d.App.FindCollectionByNameOrId(coll)
		if err != nil {
			t.Fatal(err)
		}
		have := map[string]bool{}
		for _, pc := range pgColumns(t, c, coll) {
			have[pc.name] = true
		}
		for _, f := range col.Fields {
			n := f.GetName()
			switch {
			case have[n], have[n+"_lon"] && have[n+"_lat"]:
			case contains(rollup.NotReplicated[coll], n):
			default:
				t.Errorf("%s.%s has no column in yuetan.%s (add a migration) and is not in NotReplicated", coll, n, coll)
			}
		}
		for _, p := range rollup.Personal[coll] {
			if count(t, c, `SELECT count(*) FROM information_schema.columns WHERE table_schema = 'yuetan'
				AND table_name = $1 AND column_name = $2 AND is_nullable = 'YES'`, coll, p) != 1 {
				t.Errorf("personal column yuetan.%s.%s missing or NOT NULL", coll, p)
			}
		}
	}
}
