package collections

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/workflow"
)

// Users is PocketBase's default auth collection, extended with the role
// and organisation that decide what a person may see and do.
const (
	Users   = "users"
	UsersID = "_pb_users_auth_"

	UserName       = "name"
	UserRole       = "role"
	UserOrg        = "org"
	UserTitle      = "title"
	UserLeaderRank = "leader_rank"
	UserPhone      = "phone"
)

// Leader ranks.
const (
	RankFourTeams     = "four_teams"
	RankDistrictChief = "district_chief"
)

// UserPublicFields are the fields any signed-in user may read of anyone.
var UserPublicFields = []string{FieldID, UserName, UserRole, UserOrg, UserTitle, UserLeaderRank}

// NewUsers builds the users collection: public fields readable by any
// signed-in user, created by superusers only; a user may edit their own
// profile but never their own role, org or leader rank.
func NewUsers() *core.Collection {
	c := core.NewAuthCollection(Users, UsersID)
	c.Fields.Add(
		text(UserName, 50, true),
		selectOne(UserRole, workflow.Roles, true),
		relation(UserOrg, OrgsID, false),
		text(UserTitle, 100, false),
		selectOne(UserLeaderRank, workflow.LeaderRanks.Values(), false),
		&core.TextField{Name: UserPhone, Max: 30, Pattern: `^[0-9+\- ]*$`},
	)
	c.AddIndex("idx_users_org", false, UserOrg, "")
	c.AddIndex("idx_users_role", false, UserRole, "")
	c.ListRule = rule(signedIn)
	c.ViewRule = rule(signedIn)
	c.CreateRule = nil
	c.UpdateRule = rule(and(
		"id = @request.auth.id",
		fmt.Sprintf("@request.body.%s:changed = false", UserRole),
		fmt.Sprintf("@request.body.%s:changed = false", UserOrg),
		fmt.Sprintf("@request.body.%s:changed = false", UserLeaderRank),
	))
	c.DeleteRule = nil
	return c
}

// User wraps a users record.
type User struct{ core.BaseRecordProxy }

// Name returns the person's name.
func (u *User) Name() string { return u.GetString(UserName) }

// Role returns the user's role.
func (u *User) Role() string { return u.GetString(UserRole) }

// Org returns the user's org id.
func (u *User) Org() string { return u.GetString(UserOrg) }

// Title returns the user's post (职务).
func (u *User) Title() string { return u.GetString(UserTitle) }

// LeaderRank returns four_teams, district_chief or "".
func (u *User) LeaderRank() string { return u.GetString(UserLeaderRank) }
