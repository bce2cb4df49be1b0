package hooks

import (
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/collections"
	"yuetan/workflow"
)

// bindPrivacy hides residents' names and phone numbers from everyone but
// the same community, the street above it, the working group and
// supervisors, and users' phone numbers from everyone but themselves and
// the district offices. Filtering or sorting on a hidden field is refused
// so it cannot be probed.
func bindPrivacy(app core.App) error {
	app.OnRecordEnrich(collections.Issues).BindFunc(func(e *core.RecordEnrichEvent) error {
		if !MaySeeResident(e.App, e.RequestInfo.Auth, e.Record.GetString(collections.IssueCommunity)) {
			e.Record.Hide(collections.ResidentFields...)
		}
		return e.Next()
	})
	app.OnRecordEnrich(collections.Users).BindFunc(func(e *core.RecordEnrichEvent) error {
		if !maySeeUserPhone(e.RequestInfo.Auth, e.Record) {
			e.Record.Hide(collections.UserPhone)
		}
		return e.Next()
	})
	// Only leaders and handlers read issues whose residents' details are
	// hidden from them; on users, only the district offices see phones.
	guard := func(mayFilter func(auth *core.Record) bool, fields ...string) func(e *core.RecordsListRequestEvent) error {
		return func(e *core.RecordsListRequestEvent) error {
			if e.Auth != nil && (e.Auth.IsSuperuser() || mayFilter(e.Auth)) {
				return e.Next()
			}
			q := e.Request.URL.Query()
			expr := q.Get("filter") + " " + q.Get("sort")
			for _, f := range fields {
				if strings.Contains(expr, f) {
					return router.NewApiError(http.StatusForbidden, "不能按居民或个人的联系信息筛选或排序。", nil)
				}
			}
			return e.Next()
		}
	}
	seesResidents := func(auth *core.Record) bool {
		role := auth.GetString(collections.UserRole)
		return role != workflow.RoleLeader && role != workflow.RoleHandler
	}
	app.OnRecordsListRequest(collections.Issues).BindFunc(guard(seesResidents, collections.ResidentFields...))
	app.OnRecordsListRequest(collections.Users).BindFunc(guard(districtOffice, collections.UserPhone))
	return nil
}

// districtOffice reports whether auth is the working group or a supervisor.
func districtOffice(auth *core.Record) bool {
	role := auth.GetString(collections.UserRole)
	return role == workflow.RoleWorkingGroup || role == workflow.RoleSupervisor
}

// MaySeeResident reports whether auth may see residents' personal details
// of the given community.
func MaySeeResident(app core.App, auth *core.Record, community string) bool {
	if auth == nil {
		return false
	}
	if auth.IsSuperuser() || districtOffice(auth) {
		return true
	}
	org := auth.GetString(collections.UserOrg)
	switch auth.GetString(collections.UserRole) {
	case workflow.RoleGridWorker, workflow.RoleCommunityStaff:
		return org != "" && org == community
	case workflow.RoleStreetReviewer:
		c, err := app.FindRecordById(collections.Orgs, community)
		return err == nil && org != "" && c.GetString(collections.OrgParent) == org
	}
	return false
}

func maySeeUserPhone(auth, user *core.Record) bool {
	if auth == nil {
		return false
	}
	return auth.IsSuperuser() || auth.Id == user.Id || districtOffice(auth)
}
