package tabletsync

import (
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/search"

	"yuetan/collections"
	"yuetan/listrule"
	"yuetan/tabletsync/wire"
	"yuetan/workflow"
)

// Every signed-in user may read every org and every user's public fields
// (the collections' list rules: a district's directory is no secret), but a
// community's tablet needs few of them offline, and handing every tablet
// every org and user makes the fleet's initial syncs grow with the number
// of tablets squared. A pull hands out of orgs and users:
//
//   - the directory (Entry.Directory): the caller's own org and the orgs
//     above it, its org's people, and the district-level units and people
//     everyone picks from or works with — a set that does not grow with the
//     number of communities;
//   - whatever the records it hands out reference (an application's
//     street, its handling unit, a talk's responsible, the grid worker who
//     collected an issue, a user's org, an org's parent): a page brings
//     those it references that the session does not hold yet, with their
//     own seqs (older than the cursor, mostly: a page still comes in seq
//     order, but may start below the cursor it was asked from), see
//     addReferenced;
//   - and, once held, their changes, as for any record held.
//
// The list rule still decides what may be seen; superusers get everything.

// orgsDirectory: the caller's org and those above it (its street, the
// district), and the district's own bodies: the departments (the handling
// units a leader assigns, a feedback's unit), the leadership bodies, the
// working group and the supervision office.
var orgsDirectory = fmt.Sprintf(`id = @request.auth.%[1]s || id = @request.auth.%[1]s.%[2]s || id = @request.auth.%[1]s.%[2]s.%[2]s || %[3]s = %q || %[3]s = %q || %[3]s = %q || %[3]s = %q || %[3]s = %q`,
	collections.UserOrg, collections.OrgParent, collections.OrgKind,
	collections.OrgDistrict, collections.OrgDepartment, collections.OrgLeadership, collections.OrgWorkingGroup, collections.OrgSupervision)

// usersDirectory: the caller, its org's people (whose work it sees), the
// leaders (an application's target leader is picked among them, see the
// workflow's eligibility, and so is the one assigned or delegated) and the
// handlers (a talk's responsible is picked among its unit's).
var usersDirectory = fmt.Sprintf(`id = @request.auth.id || %[1]s = @request.auth.%[1]s || %[2]s = %q || %[2]s = %q`,
	collections.UserOrg, collections.UserRole, workflow.RoleLeader, workflow.RoleHandler)

// applyDirectory narrows q, a query of r's collection, to the directory
// and the records the session holds, when r's collection has a directory.
func (v *visibility) applyDirectory(q *dbx.SelectQuery, r listRule) error {
	en, _ := entry(r.coll.Name)
	if en.Directory == "" || v.auth.IsSuperuser() {
		return nil
	}
	name := r.coll.Name
	held := dbx.NewExp("[["+name+".id]] IN (SELECT record FROM "+tableHeld+" WHERE session = {:dsession} AND collection = {:dcoll} AND gone IS NULL)",
		dbx.Params{"dsession": v.session, "dcoll": name})
	text, always, never, ok := listrule.Specialize(en.Directory, v.auth)
	switch {
	case ok && always:
		return nil
	case ok && never:
		q.AndWhere(held)
		return nil
	case !ok:
		text = en.Directory
	}
	resolver := core.NewRecordFieldResolver(v.app, r.coll, v.info, true)
	expr, err := search.FilterData(text).BuildExpr(resolver)
	if err != nil {
		return fmt.Errorf("directory of %s: %w", name, err)
	}
	q.AndWhere(dbx.Or(expr, held))
	if err := resolver.UpdateQuery(q); err != nil {
		return fmt.Errorf("directory of %s: %w", name, err)
	}
	return nil
}

// addReferenced adds to the page the directory records (orgs, users) its
// records reference that the session does not hold, the caller may see
// and the page does not have, with their own feed seqs; and then what
// those reference (a user's org, an org's parent).
func addReferenced(app core.App, vis *visibility, out *PullResponse) error {
	if vis.auth.IsSuperuser() {
		return nil
	}
	targets := map[string]string{} // collection id → name, of the collections with a directory
	for _, en := range Table {
		if en.Directory == "" {
			continue
		}
		if c, err := app.FindCachedCollectionByNameOrId(en.Collection); err == nil {
			targets[c.Id] = c.Name
		}
	}
	seen := map[string]bool{}
	var recs []*core.Record
	for _, c := range out.Changes {
		seen[c.Collection+"/"+c.ID] = true
		if c.Record != nil {
			recs = append(recs, c.Record)
		}
	}
	var added []Change
	for round := 0; round < 4 && len(recs) > 0; round++ {
		want := map[string][]string{}
		for _, rec := range recs {
			for _, f := range rec.Collection().Fields {
				rel, ok := f.(*core.RelationField)
				if !ok || targets[rel.CollectionId] == "" {
					continue
				}
				name := targets[rel.CollectionId]
				for _, id := range rec.GetStringSlice(rel.Name) {
					if key := name + "/" + id; !seen[key] {
						seen[key] = true
						want[name] = append(want[name], id)
					}
				}
			}
		}
		recs = nil
		for _, name := range slices.Sorted(maps.Keys(want)) {
			ids, err := notHeld(app, vis.session, name, want[name])
			if err != nil || len(ids) == 0 {
				if err != nil {
					return err
				}
				continue
			}
			loaded, err := recordsByRule(app, name, vis.auth, ids, func(c *core.Collection) *string { return c.ListRule })
			if err != nil {
				return err
			}
			if len(loaded) == 0 {
				continue
			}
			args := make([]any, len(loaded))
			for i, r := range loaded {
				args[i] = r.Id
			}
			var rows []seqRow
			if err := app.DB().Select("record AS id", "seq").From("{{" + tableChanges + "}} INDEXED BY _sync_changes_record").
				Where(dbx.HashExp{"collection": name}).AndWhere(inList("record", args)).All(&rows); err != nil {
				return fmt.Errorf("referenced %s: %w", name, err)
			}
			seqs := make(map[string]int64, len(rows))
			for _, r := range rows {
				seqs[r.ID] = r.Seq
			}
			for _, r := range loaded {
				added = append(added, Change{Seq: seqs[r.Id], Collection: name, ID: r.Id, Op: wire.OpUpsert, Record: r})
				recs = append(recs, r)
			}
		}
	}
	if len(added) == 0 {
		return nil
	}
	// in seq order with the page's own (those older than the cursor first)
	out.Changes = append(added, out.Changes...)
	slices.SortStableFunc(out.Changes, func(a, b Change) int { return cmp.Compare(a.Seq, b.Seq) })
	return nil
}

// notHeld returns those of ids the session does not hold.
func notHeld(app core.App, session int64, collection string, ids []string) ([]string, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	var held []string
	if err := app.DB().Select("record").From(tableHeld).
		Where(dbx.HashExp{"session": session, "collection": collection}).AndWhere(dbx.NewExp("gone IS NULL")).
		AndWhere(inList("record", args)).Column(&held); err != nil {
		return nil, fmt.Errorf("held %s: %w", collection, err)
	}
	out := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return slices.Contains(held, id) })
	return out, nil
}
