package collections

import "github.com/pocketbase/pocketbase/core"

// Orgs is the organisations collection: the district, streets, communities,
// cooperatives, departments, leadership bodies, the working group and the
// supervision office.
const (
	Orgs   = "orgs"
	OrgsID = "pbc_orgs"

	OrgName   = "name"
	OrgKind   = "kind"
	OrgParent = "parent"
	OrgCode   = "code"
)

// Org kinds.
const (
	OrgDistrict     = "district"
	OrgStreet       = "street"
	OrgCommunity    = "community"
	OrgCooperative  = "cooperative"
	OrgDepartment   = "department"
	OrgLeadership   = "leadership"
	OrgWorkingGroup = "working_group"
	OrgSupervision  = "supervision"
)

// OrgKinds lists every org kind.
var OrgKinds = []string{
	OrgDistrict, OrgStreet, OrgCommunity, OrgCooperative,
	OrgDepartment, OrgLeadership, OrgWorkingGroup, OrgSupervision,
}

// NewOrgs builds the orgs collection: readable by any signed-in user,
// written by superusers only.
func NewOrgs() *core.Collection {
	c := core.NewBaseCollection(Orgs, OrgsID)
	c.Fields.Add(
		text(OrgName, 100, true),
		selectOne(OrgKind, OrgKinds, true),
		relation(OrgParent, OrgsID, false),
		text(OrgCode, 50, false),
	)
	timestamps(c)
	c.AddIndex("idx_orgs_code", true, OrgCode, OrgCode+" != ''")
	c.AddIndex("idx_orgs_parent", false, OrgParent, "")
	c.ListRule = rule(signedIn)
	c.ViewRule = rule(signedIn)
	return c
}

// Org wraps an orgs record.
type Org struct{ core.BaseRecordProxy }

// Name returns the organisation's name.
func (o *Org) Name() string { return o.GetString(OrgName) }

// Kind returns the organisation kind.
func (o *Org) Kind() string { return o.GetString(OrgKind) }

// Parent returns the parent org id.
func (o *Org) Parent() string { return o.GetString(OrgParent) }

// IsApplicant reports whether the org may apply for a talk (a community or a cooperative).
func (o *Org) IsApplicant() bool {
	return o.Kind() == OrgCommunity || o.Kind() == OrgCooperative
}
