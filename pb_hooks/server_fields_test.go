package hooks_test

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
)

// forged returns a value of field's type that no server would set: another
// org, another user, a date long past, the last option, a big number.
func forged(t *testing.T, env *testenv.Env, f core.Field, otherApp, otherTalk string) any {
	t.Helper()
	switch f := f.(type) {
	case *core.RelationField:
		switch f.CollectionId {
		case env.User(wg).Collection().Id:
			return env.User(wg).Id
		case env.Org("BH-DH").Collection().Id:
			return env.Org("BH-DH").Id
		}
		target, err := env.App.FindCachedCollectionByNameOrId(f.CollectionId)
		if err != nil {
			t.Fatal(err)
		}
		switch target.Name {
		case collections.Applications:
			return otherApp
		case collections.Talks:
			return otherTalk
		}
		t.Fatalf("no forged value for a relation to %s", target.Name)
	case *core.TextField:
		return "伪造的值"
	case *core.DateField:
		return "2020-01-02 03:04:05.000Z"
	case *core.SelectField:
		return f.Values[len(f.Values)-1]
	case *core.NumberField:
		return 9999
	case *core.BoolField:
		return true
	case *core.FileField:
		return nil // a file part is not JSON; the archive tests send them
	}
	t.Fatalf("no forged value for %s (%T)", f.GetName(), f)
	return nil
}

// TestServerFieldsAreTheServers forges every field of
// collections.ServerFields in a create from the writer who may create the
// record (and, for the kept ones, in an update), over REST: the stored
// value is never the forged one, and an author field is the writer's.
func TestServerFieldsAreTheServers(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	other := prepare(t, env, "in_handling") // the relations' forged targets
	forwarded := prepare(t, env, "forwarded")
	notified := prepare(t, env, "notified")
	handling := prepare(t, env, "in_handling")

	apps, _ := env.App.FindCachedCollectionByNameOrId(collections.Applications)
	residents := core.NewRecord(apps)
	for k, v := range map[string]any{"community": env.Org("DL-HC").Id, "applicant_kind": "residents", "subject": "居民联名",
		"category": "community_building", "target_leader": env.User(secretary).Id, "talk_form": "visit", "status": "draft"} {
		residents.Set(k, v)
	}
	if err := env.SaveAsSystem(residents); err != nil {
		t.Fatal(err)
	}

	creates := map[string]struct {
		who  string
		body map[string]any
		edit string // who may update it, for the kept fields
	}{
		collections.Issues:       {grid, map[string]any{"community": env.Org("DL-HC").Id, "kind": "problem", "title": "伪造字段测试", "source": "door_to_door"}, grid},
		collections.Signatures:   {grid, map[string]any{"application": residents.Id, "name": "王某", "address": "1幢"}, grid},
		collections.Supervisions: {sup, map[string]any{"application": forwarded.app.Id, "kind": "reminder", "note": "请抓紧"}, sup},
		collections.Applications: {staff, map[string]any{"community": env.Org("DL-HC").Id, "applicant_kind": "community", "subject": "伪造字段",
			"category": "community_building", "target_leader": env.User(secretary).Id, "talk_form": "visit"}, ""},
		collections.Talks: {secretary, map[string]any{"application": notified.app.Id, "scheduled_at": time.Now().AddDate(0, 0, 2).UTC().Format("2006-01-02 15:04:05.000Z"),
			"place": "社区", "form": "visit"}, ""},
		collections.Feedback: {handler, map[string]any{"application": handling.app.Id, "result": "已办结"}, ""},
	}
	byCollection := map[string][]collections.ServerField{}
	for _, f := range collections.ServerFields {
		byCollection[f.Collection] = append(byCollection[f.Collection], f)
	}
	if len(byCollection) != len(creates) {
		t.Fatalf("server fields in %d collections, %d covered here", len(byCollection), len(creates))
	}
	for name, fields := range byCollection {
		t.Run(name, func(t *testing.T) {
			c := creates[name]
			coll, _ := env.App.FindCachedCollectionByNameOrId(name)
			body := map[string]any{}
			for k, v := range c.body {
				body[k] = v
			}
			fake := map[string]any{}
			for _, f := range fields {
				if v := forged(t, env, coll.Fields.GetByName(f.Name), other.app.Id, other.talk.Id); v != nil {
					body[f.Name], fake[f.Name] = v, v
				}
			}
			r := env.Do("POST", "/api/collections/"+name+"/records", c.who, body)
			if r.Status != 200 {
				t.Fatalf("create with forged server fields: %s", r)
			}
			rec, err := env.App.FindRecordById(name, r.JSON(t)["id"].(string))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fields {
				if v, ok := fake[f.Name]; ok && sameValue(rec, f.Name, v) {
					t.Errorf("%s.%s took the client's %v", name, f.Name, v)
				}
				if f.Author && rec.GetString(f.Name) != env.User(c.who).Id {
					t.Errorf("%s.%s = %q, not the writer's", name, f.Name, rec.GetString(f.Name))
				}
			}
			if c.edit == "" {
				return // the workflow's edit tables refuse these (TestRequirements)
			}
			before := rec.Fresh()
			patch := map[string]any{}
			for _, f := range fields {
				if v, ok := fake[f.Name]; ok && f.Kept {
					patch[f.Name] = v
				}
			}
			r = env.Do("PATCH", "/api/collections/"+name+"/records/"+rec.Id, c.edit, patch)
			after, err := env.App.FindRecordById(name, rec.Id)
			if err != nil {
				t.Fatal(err)
			}
			for f := range patch {
				if after.GetString(f) != before.GetString(f) {
					t.Errorf("update (%d) changed %s.%s from %q to %q", r.Status, name, f, before.GetString(f), after.GetString(f))
				}
			}
		})
	}
}

// sameValue reports whether rec's field holds v (dates compared as instants).
func sameValue(rec *core.Record, field string, v any) bool {
	if s, ok := v.(string); ok {
		if d := rec.GetDateTime(field); !d.IsZero() {
			want, err := time.Parse("2006-01-02 15:04:05.000Z", s)
			return err == nil && d.Time().Equal(want)
		}
		return rec.GetString(field) == s
	}
	switch v := v.(type) {
	case int:
		return rec.GetInt(field) == v
	case bool:
		return rec.GetBool(field) == v
	}
	return false
}
