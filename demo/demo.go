// Package demo owns the demo district: fictional orgs, one account per
// role, issues and applications in every state, so each screen has
// something to show. Seed is idempotent.
package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/texttable"
	"yuetan/savectx"
	"yuetan/workflow"
)

// Password is the password of every demo account.
const Password = "yuetan2026"

// SuperuserEmail is the demo admin dashboard account.
const SuperuserEmail = "admin@yuetan.example"

// marker is the code of the demo district: when it exists, the demo is there.
const marker = "JD"

// Org is a demo organisation.
type Org struct{ Code, Name, Kind, Parent string }

// Orgs is the demo district's structure (fictional, after the case report's district).
var Orgs = []Org{
	{"JD", "江东区", collections.OrgDistrict, ""},
	{"JD-QW", "中共江东区委", collections.OrgLeadership, "JD"},
	{"JD-RD", "江东区人大常委会", collections.OrgLeadership, "JD"},
	{"JD-ZF", "江东区人民政府", collections.OrgLeadership, "JD"},
	{"JD-ZX", "政协江东区委员会", collections.OrgLeadership, "JD"},
	{"JD-WG", "群众约谈专门工作小组", collections.OrgWorkingGroup, "JD"},
	{"JD-DC", "区委区府办督查室", collections.OrgSupervision, "JD"},
	{"JD-ZJ", "区住建局", collections.OrgDepartment, "JD"},
	{"JD-JX", "区经信局", collections.OrgDepartment, "JD"},
	{"JD-CG", "区城管局", collections.OrgDepartment, "JD"},
	{"JD-WJ", "区卫健局", collections.OrgDepartment, "JD"},
	{"DL", "东柳街道", collections.OrgStreet, "JD"},
	{"BH", "白鹤街道", collections.OrgStreet, "JD"},
	{"ML", "明楼街道", collections.OrgStreet, "JD"},
	{"DL-HC", "划船社区", collections.OrgCommunity, "DL"},
	{"DL-DLF", "东柳坊社区", collections.OrgCommunity, "DL"},
	{"DL-GF", "东柳股份经济合作社", collections.OrgCooperative, "DL"},
	{"BH-DH", "东海花园社区", collections.OrgCommunity, "BH"},
	{"BH-HL", "黄鹂社区", collections.OrgCommunity, "BH"},
	{"BH-GF", "白鹤股份经济合作社", collections.OrgCooperative, "BH"},
	{"ML-ML", "明楼社区", collections.OrgCommunity, "ML"},
	{"ML-HF", "和丰社区", collections.OrgCommunity, "ML"},
	{"ML-GF", "明楼股份经济合作社", collections.OrgCooperative, "ML"},
}

// Account is a demo user.
type Account struct{ Email, Name, Role, Org, Title, Rank, Phone string }

// Accounts has one account per role (leaders of both ranks), all fictional.
var Accounts = []Account{
	{"grid@yuetan.example", "王小燕", workflow.RoleGridWorker, "DL-HC", "划船社区网格员", "", "13800000001"},
	{"grid2@yuetan.example", "赵磊", workflow.RoleGridWorker, "BH-DH", "东海花园社区网格员", "", "13800000002"},
	{"staff@yuetan.example", "陈静", workflow.RoleCommunityStaff, "DL-HC", "划船社区党委书记", "", "13800000003"},
	{"staff2@yuetan.example", "刘洋", workflow.RoleCommunityStaff, "BH-DH", "东海花园社区主任", "", "13800000004"},
	{"staff3@yuetan.example", "孙丽", workflow.RoleCommunityStaff, "BH-HL", "黄鹂社区主任", "", "13800000005"},
	{"staff4@yuetan.example", "高峰", workflow.RoleCommunityStaff, "DL-DLF", "东柳坊社区主任", "", "13800000006"},
	{"street@yuetan.example", "吴强", workflow.RoleStreetReviewer, "DL", "东柳街道党工委副书记", "", "13800000007"},
	{"street2@yuetan.example", "郑敏", workflow.RoleStreetReviewer, "BH", "白鹤街道党工委副书记", "", "13800000008"},
	{"wg@yuetan.example", "林涛", workflow.RoleWorkingGroup, "JD-WG", "区委组织部副部长", "", "13800000009"},
	{"secretary@yuetan.example", "周明远", workflow.RoleLeader, "JD-QW", "区委书记", collections.RankFourTeams, "13800000010"},
	{"mayor@yuetan.example", "许文华", workflow.RoleLeader, "JD-ZF", "区委副书记、区长", collections.RankFourTeams, "13800000011"},
	{"npc@yuetan.example", "何建国", workflow.RoleLeader, "JD-RD", "区人大常委会主任", collections.RankFourTeams, "13800000012"},
	{"chief@yuetan.example", "钱立新", workflow.RoleLeader, "JD-ZJ", "区住建局局长", collections.RankDistrictChief, "13800000013"},
	{"chief2@yuetan.example", "冯志刚", workflow.RoleLeader, "JD-CG", "区城管局局长", collections.RankDistrictChief, "13800000014"},
	{"handler@yuetan.example", "马超", workflow.RoleHandler, "JD-CG", "区城管局市容科科长", "", "13800000015"},
	{"handler2@yuetan.example", "朱琳", workflow.RoleHandler, "JD-ZJ", "区住建局物业科科长", "", "13800000016"},
	{"handler3@yuetan.example", "韩冰", workflow.RoleHandler, "JD-JX", "区经信局电力科科长", "", "13800000017"},
	{"sup@yuetan.example", "黄海", workflow.RoleSupervisor, "JD-DC", "区委区府办督查室主任", "", "13800000018"},
}

// Seed creates the demo data unless it is there already; created
// reports whether this call created it.
func Seed(app core.App) (created bool, err error) {
	if existing, _ := app.FindFirstRecordByData(collections.Orgs, collections.OrgCode, marker); existing != nil {
		return false, nil
	}
	err = app.RunInTransaction(func(tx core.App) error {
		s := &seeder{app: tx, clock: newClock(time.Now()), orgs: map[string]*core.Record{}, users: map[string]*core.Record{}}
		return s.run()
	})
	if err != nil {
		return false, fmt.Errorf("seed demo data: %w", err)
	}
	return true, nil
}

var rankLabels = map[string]string{collections.RankFourTeams: "四套班子", collections.RankDistrictChief: "区管党政正职"}

// PrintAccounts prints the demo accounts as a table whose columns line up
// in a terminal (Chinese characters are two columns wide).
func PrintAccounts(w io.Writer, created bool) error {
	if created {
		fmt.Fprintln(w, "演示数据已创建。")
	} else {
		fmt.Fprintln(w, "演示数据已存在，未重复创建。")
	}
	fmt.Fprintf(w, "演示账号（密码均为 %s）：\n", Password)
	rows := [][]string{{"账号", "角色", "姓名", "单位职务"}, {SuperuserEmail, "超级管理员", "", "管理后台 /_/"}}
	for _, a := range Accounts {
		role := workflow.RoleLabels[a.Role]
		if r := rankLabels[a.Rank]; r != "" {
			role += "（" + r + "）"
		}
		rows = append(rows, []string{a.Email, role, a.Name, a.Title})
	}
	return texttable.Write(w, "  ", rows)
}

type seeder struct {
	app   core.App
	clock clock                   // when the demo's records are written
	orgs  map[string]*core.Record // by code
	users map[string]*core.Record // by email
	// issues by title
	issues map[string]*core.Record
}

func (s *seeder) run() error {
	if err := s.seedOrgs(); err != nil {
		return err
	}
	if err := s.seedUsers(); err != nil {
		return err
	}
	if err := s.seedIssues(); err != nil {
		return err
	}
	return s.seedStories()
}

func (s *seeder) seedOrgs() error {
	c, err := s.app.FindCollectionByNameOrId(collections.Orgs)
	if err != nil {
		return err
	}
	for _, o := range Orgs {
		r := core.NewRecord(c)
		r.Set(collections.OrgCode, o.Code)
		r.Set(collections.OrgName, o.Name)
		r.Set(collections.OrgKind, o.Kind)
		if o.Parent != "" {
			r.Set(collections.OrgParent, s.orgs[o.Parent].Id)
		}
		if err := s.app.SaveWithContext(savectx.AsSystem(context.Background()), r); err != nil {
			return fmt.Errorf("org %s: %w", o.Name, err)
		}
		s.orgs[o.Code] = r
	}
	return nil
}

func (s *seeder) seedUsers() error {
	su, err := s.app.FindCollectionByNameOrId(core.CollectionNameSuperusers)
	if err != nil {
		return err
	}
	if _, err := s.app.FindAuthRecordByEmail(su, SuperuserEmail); err != nil {
		r := core.NewRecord(su)
		r.SetEmail(SuperuserEmail)
		r.SetPassword(Password)
		if err := s.app.SaveWithContext(savectx.AsSystem(context.Background()), r); err != nil {
			return fmt.Errorf("superuser: %w", err)
		}
	}
	c, err := s.app.FindCollectionByNameOrId(collections.Users)
	if err != nil {
		return err
	}
	for _, a := range Accounts {
		r := core.NewRecord(c)
		r.SetEmail(a.Email)
		r.SetPassword(a.Password())
		r.SetVerified(true)
		r.Set(collections.UserName, a.Name)
		r.Set(collections.UserRole, a.Role)
		r.Set(collections.UserOrg, s.orgs[a.Org].Id)
		r.Set(collections.UserTitle, a.Title)
		r.Set(collections.UserLeaderRank, a.Rank)
		r.Set(collections.UserPhone, a.Phone)
		if err := s.app.SaveWithContext(savectx.AsSystem(context.Background()), r); err != nil {
			return fmt.Errorf("user %s: %w", a.Email, err)
		}
		s.users[a.Email] = r
	}
	return nil
}

// Password returns the account's password.
func (a Account) Password() string { return Password }

// as returns a context in which saves are made by the demo user email at time at.
func (s *seeder) as(email string, at time.Time) context.Context {
	ctx := savectx.At(context.Background(), at)
	if u := s.users[email]; u != nil {
		ctx = savectx.AsUser(ctx, u)
	}
	return ctx
}
