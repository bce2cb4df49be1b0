package collections

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// Sight says on which records of its collection a caller sees a personal
// field.
type Sight int

const (
	// SeesNone: hidden on every record.
	SeesNone Sight = iota
	// SeesOwn: shown only on the caller's own user record.
	SeesOwn
	// SeesListed: shown on exactly the records the collection's list rule
	// gives the caller.
	SeesListed
	// SeesAll: shown on every record.
	SeesAll
)

// Personal names fields holding personal information (PIPL) and, per
// role, on which records that role sees them. A role not named sees none
// of them, a guest none, a superuser all.
//
// This is the one table for it: the enrich hooks hide the fields by it,
// and the filter guard refuses a filter, sort or subscription that would
// read them (through any relation) where the caller does not see them.
type Personal struct {
	Collection string
	Fields     []string
	Roles      map[string]Sight
}

// PersonalFields lists every personal field of the schema.
var PersonalFields = []Personal{
	{
		// residents' names and phones: their community, the street above
		// it and the district offices; never the leaders and handling
		// units the matter reaches.
		Collection: Issues,
		Fields:     ResidentFields,
		Roles: map[string]Sight{
			RoleGridWorker: SeesListed, RoleCommunityStaff: SeesListed, RoleStreetReviewer: SeesListed,
			RoleWorkingGroup: SeesAll, RoleSupervisor: SeesAll,
		},
	},
	{
		// co-signers (居民联名): whoever may read the signatures.
		Collection: Signatures,
		Fields:     []string{SigName, SigAddress, SigPhone},
		Roles: map[string]Sight{
			RoleGridWorker: SeesListed, RoleCommunityStaff: SeesListed, RoleStreetReviewer: SeesListed,
			RoleWorkingGroup: SeesAll, RoleSupervisor: SeesAll,
		},
	},
	{
		// the applicant's contact person: whoever may read the application.
		Collection: Applications,
		Fields:     []string{AppContactName, AppContactPhone},
		Roles: map[string]Sight{
			RoleGridWorker: SeesListed, RoleCommunityStaff: SeesListed, RoleStreetReviewer: SeesListed,
			RoleLeader: SeesListed, RoleHandler: SeesListed,
			RoleWorkingGroup: SeesAll, RoleSupervisor: SeesAll,
		},
	},
	{
		// staff phones: the person and the district offices.
		Collection: Users,
		Fields:     []string{UserPhone},
		Roles: map[string]Sight{
			RoleGridWorker: SeesOwn, RoleCommunityStaff: SeesOwn, RoleStreetReviewer: SeesOwn,
			RoleLeader: SeesOwn, RoleHandler: SeesOwn,
			RoleWorkingGroup: SeesAll, RoleSupervisor: SeesAll,
		},
	},
	{
		// sign-in e-mails: the person only (PocketBase's emailVisibility
		// stays off, and users have no manage rule).
		Collection: Users,
		Fields:     []string{core.FieldNameEmail},
		Roles: map[string]Sight{
			RoleGridWorker: SeesOwn, RoleCommunityStaff: SeesOwn, RoleStreetReviewer: SeesOwn,
			RoleLeader: SeesOwn, RoleHandler: SeesOwn, RoleWorkingGroup: SeesOwn, RoleSupervisor: SeesOwn,
		},
	},
}

// SightOf says on which records auth sees field of collection (SeesAll for
// a field that is not personal).
func SightOf(auth *core.Record, collection, field string) Sight {
	for _, p := range PersonalFields {
		if p.Collection != collection || !slices.Contains(p.Fields, field) {
			continue
		}
		switch {
		case auth == nil:
			return SeesNone
		case auth.IsSuperuser():
			return SeesAll
		}
		return p.Roles[auth.GetString(UserRole)]
	}
	return SeesAll
}
