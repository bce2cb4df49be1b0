package privacy

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/dbutils"
)

// origin is where a field path starts.
type origin int

const (
	fromBase       origin = iota // the listed collection's record
	fromSelf                     // @request.auth.…: the caller's own record
	fromBody                     // @request.body.<relation>.…: records the client names by id
	fromCollection               // @collection.<name>.…: every record of a collection
	static                       // any other @request.… value: the caller's own data
)

// stepKind is how a path reaches the next collection.
type stepKind int

const (
	forward  stepKind = iota // a single relation field: one record
	multiple                 // a multiple relation field: up to MaxSelect records
	back                     // a back-relation (<collection>_via_<field>): any number of records
)

// step is one relation a path follows.
type step struct {
	kind   stepKind
	prefix string // the path up to and including this step (one SQL join each)
	via    *core.RelationField
	// indexed reports, for a back-relation, whether its field leads an index.
	indexed bool
}

// path is a field path of a filter or sort resolved through the schema the
// way PocketBase's record field resolver does (core/record_field_resolver_runner.go).
type path struct {
	raw        string
	param      string // the query parameter it came from (filter or sort)
	origin     origin
	steps      []step
	collection *core.Collection // where the last field lives
	field      string           // the last field, modifier stripped
	each       bool             // the last field is expanded with :each (one row per value)
	allMatch   bool             // compared with an all-match operator (=, !=, ~, …)
}

// fansOut reports whether p follows a relation to many records.
func (p path) fansOut() bool {
	for _, s := range p.steps {
		if s.kind != forward {
			return true
		}
	}
	return false
}

// plainAuthFields are the @request.auth fields PocketBase reads from the
// token's record without a join.
var plainAuthFields = map[string]bool{
	core.FieldNameId: true, core.FieldNameCollectionId: true, core.FieldNameCollectionName: true,
	core.FieldNameEmail: true, core.FieldNameEmailVisibility: true, core.FieldNameVerified: true,
}

// viaRegex is PocketBase's back-relation pattern.
var viaRegex = regexp.MustCompile(`^(\w+)_via_(\w+)$`)

// resolvePath walks name through the schema from base. auth is the caller
// (nil for a guest). It fails where PocketBase's resolver would.
func resolvePath(app core.App, base *core.Collection, auth *core.Record, name string) (path, error) {
	p := path{raw: name, origin: fromBase}
	props := strings.Split(name, ".")
	coll := base
	prefix := ""
	switch {
	case props[0] == "@collection":
		p.origin = fromCollection
		if len(props) < 3 {
			return p, fmt.Errorf("invalid @collection path %q", name)
		}
		c, err := app.FindCachedCollectionByNameOrId(strings.SplitN(props[1], ":", 2)[0])
		if err != nil {
			return p, fmt.Errorf("unknown collection in %q", name)
		}
		coll, props, prefix = c, props[2:], props[0]+"."+props[1]
	case props[0] == "@request" && len(props) > 2 && props[1] == "auth":
		if auth == nil || (len(props) == 3 && plainAuthFields[props[2]]) {
			p.origin = static
			return p, nil
		}
		p.origin = fromSelf
		coll, props, prefix = auth.Collection(), props[2:], "@request.auth"
	case props[0] == "@request" && len(props) > 3 && props[1] == "body":
		// PocketBase strips a modifier here too: @request.body.rel:lower.x
		bodyField, _, _ := strings.Cut(props[2], ":")
		rel, ok := base.Fields.GetByName(bodyField).(*core.RelationField)
		if !ok {
			p.origin = static
			return p, nil
		}
		target, err := app.FindCachedCollectionByNameOrId(rel.CollectionId)
		if err != nil {
			return p, fmt.Errorf("relation %q: %w", props[2], err)
		}
		p.origin = fromBody
		prefix = "@request.body." + bodyField
		p.steps = append(p.steps, step{kind: forward, prefix: prefix, via: rel})
		coll, props = target, props[3:]
	case props[0] == "@request":
		p.origin = static
		return p, nil
	}
	for i, prop := range props {
		if prefix != "" {
			prefix += "."
		}
		prefix += prop
		if i == len(props)-1 {
			fieldName, modifier, _ := strings.Cut(prop, ":")
			f := coll.Fields.GetByName(fieldName)
			if f == nil {
				return p, fmt.Errorf("unknown field %q", fieldName)
			}
			_, multi := f.(core.MultiValuer)
			p.collection, p.field, p.each = coll, fieldName, modifier == "each" && multi
			return p, nil
		}
		f := coll.Fields.GetByName(prop)
		if f != nil && (f.Type() == core.FieldTypeJSON || f.Type() == core.FieldTypeGeoPoint) {
			// the rest is a path inside the value
			p.collection, p.field = coll, prop
			return p, nil
		}
		if f == nil {
			m := viaRegex.FindStringSubmatch(prop)
			if m == nil {
				return p, fmt.Errorf("unknown field %q", prop)
			}
			from, err := app.FindCachedCollectionByNameOrId(m[1])
			if err != nil {
				return p, fmt.Errorf("unknown collection in %q", prop)
			}
			rel, ok := from.Fields.GetByName(m[2]).(*core.RelationField)
			if !ok || rel.CollectionId != coll.Id {
				return p, fmt.Errorf("invalid back-relation %q", prop)
			}
			p.steps = append(p.steps, step{kind: back, prefix: prefix, via: rel, indexed: leadsIndex(from, rel.Name)})
			coll = from
			continue
		}
		rel, ok := f.(*core.RelationField)
		if !ok {
			return p, fmt.Errorf("field %q is not a relation", prop)
		}
		target, err := app.FindCachedCollectionByNameOrId(rel.CollectionId)
		if err != nil {
			return p, fmt.Errorf("relation %q: %w", prop, err)
		}
		if !rel.IsMultiple() && i == len(props)-2 && props[i+1] == core.FieldNameId {
			// PocketBase reads "rel.id" from the relation field itself
			p.collection, p.field = coll, rel.Name
			return p, nil
		}
		kind := forward
		if rel.IsMultiple() {
			kind = multiple
		}
		p.steps = append(p.steps, step{kind: kind, prefix: prefix, via: rel})
		coll = target
	}
	return p, fmt.Errorf("empty field path %q", name)
}

// leadsIndex reports whether field is the first column of a full (not
// partial) index of c, so a join on it is a lookup rather than a scan.
func leadsIndex(c *core.Collection, field string) bool {
	for _, raw := range c.Indexes {
		idx := dbutils.ParseIndex(raw)
		if idx.Where == "" && len(idx.Columns) > 0 && strings.EqualFold(idx.Columns[0].Name, field) {
			return true
		}
	}
	return false
}
