package testenv

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/workflow"
)

// growPerCommunity is how many issues of the history one community holds
// (three communities a street; an application for every tenth issue).
const growPerCommunity = 1000

// historyMoves are the moves each application of the history made, an
// hour apart.
var historyMoves = []string{workflow.StatusSubmitted, workflow.StatusForwarded, workflow.StatusAccepted,
	workflow.StatusNotified, workflow.StatusInHandling, workflow.StatusClosed}

// Grow adds own issues this year to the communities of 东柳街道 (DL, whose
// reviewer street@ is), and a history that brings the issues to total:
// the district's shape repeated in streets of their own (三 communities a
// street, an application for every tenth issue with its six moves, closed)
// dated in the five years before this one. What a user of the demo sees
// this year is thus the same at every total; the tables grow. Rows are
// written in SQL, without hooks: a benchmark's scale, not a story.
func (e *Env) Grow(total, own int) {
	e.T.Helper()
	var have int
	if err := e.App.DB().NewQuery("SELECT COUNT(*) FROM issues").Row(&have); err != nil {
		e.T.Fatal(err)
	}
	history := total - have - own
	if history < 0 {
		history = 0
	}
	now := time.Now().UTC()
	lastYear := now.AddDate(-1, 0, 0).Format("2006-01-02 15:04:05")
	nowText := now.Format("2006-01-02 15:04:05")
	communities := (history + growPerCommunity - 1) / growPerCommunity
	streets := (communities + 2) / 3
	leader, unit := e.User("secretary@yuetan.example").Id, e.Org("JD-CG").Id
	district := e.Org("DL").GetString(collections.OrgParent)
	pbTime := func(base, shift string) string {
		return fmt.Sprintf("strftime('%%Y-%%m-%%d %%H:%%M:%%fZ', '%s', %s)", base, shift)
	}
	// the i-th issue of the history is dated i%5 years and i%300 days
	// before a year ago: always before this year
	issueAt := pbTime(lastYear, "'-' || (i % 5) || ' years', '-' || (i % 300) || ' days'")
	statements := []struct {
		sql string
		n   int
	}{
		{`INSERT INTO orgs (id, name, kind, parent, code, created, updated)
			SELECT printf('gs%013d', i), '历史街道' || i, 'street', {:district}, 'GS' || i, {:now}, {:now} FROM seq`, streets},
		{`INSERT INTO orgs (id, name, kind, parent, code, created, updated)
			SELECT printf('gc%013d', i), '历史社区' || i, 'community', printf('gs%013d', i / 3), 'GC' || i, {:now}, {:now} FROM seq`, communities},
		{`INSERT INTO issues (id, community, kind, title, source, status, application, collected_at, created, updated)
			SELECT printf('gi%013d', i), printf('gc%013d', i / ` + fmt.Sprint(growPerCommunity) + `),
				CASE WHEN i % 3 = 0 THEN 'suggestion' ELSE 'problem' END, '历史问题 ' || i, {:source}, 'closed',
				CASE WHEN i % 10 = 0 THEN printf('ga%013d', i / 10) ELSE '' END,
				` + issueAt + `, ` + issueAt + `, ` + issueAt + ` FROM seq`, history},
		{`INSERT INTO applications (id, community, street, applicant_kind, subject, category, target_leader, assigned_leader,
				handling_unit, talk_form, status, created, updated)
			SELECT printf('ga%013d', j), printf('gc%013d', i / ` + fmt.Sprint(growPerCommunity) + `),
				printf('gs%013d', i / ` + fmt.Sprint(growPerCommunity*3) + `), 'community', '历史事项 ' || j, {:category},
				{:leader}, {:leader}, {:unit}, 'visit', 'closed', ` + issueAt + `, ` + pbTime(lastYear, "'-' || (i % 5) || ' years', '-' || (i % 300) || ' days', '+6 hours'") + `
			FROM (SELECT i / 10 AS j, i FROM seq WHERE i % 10 = 0)`, history},
		{`INSERT INTO issues (id, community, kind, title, source, status, collected_at, created, updated)
			SELECT printf('go%013d', i), (SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS r FROM orgs WHERE parent = {:street}) WHERE r = i % {:ownCommunities}),
				CASE WHEN i % 3 = 0 THEN 'suggestion' ELSE 'problem' END, '今年问题 ' || i, {:source}, 'open',
				` + pbTime(nowText, "'-' || (i % 600) || ' seconds'") + `, ` + pbTime(nowText, "'-' || (i % 600) || ' seconds'") + `,
				` + pbTime(nowText, "'-' || (i % 600) || ' seconds'") + ` FROM seq`, own},
	}
	var ownCommunities int
	street := e.Org("DL").Id
	if err := e.App.DB().NewQuery("SELECT COUNT(*) FROM orgs WHERE parent = {:street}").
		Bind(dbx.Params{"street": street}).Row(&ownCommunities); err != nil || ownCommunities == 0 {
		e.T.Fatalf("communities of DL: %d %v", ownCommunities, err)
	}
	params := dbx.Params{"district": district, "now": now.Format("2006-01-02 15:04:05.000Z"),
		"source": workflow.IssueSources.Values()[0], "category": workflow.Categories[0], "leader": leader, "unit": unit,
		"street": street, "ownCommunities": ownCommunities}
	err := e.App.RunInTransaction(func(tx core.App) error {
		for _, s := range statements {
			if s.n == 0 {
				continue
			}
			q := "WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < " + fmt.Sprint(s.n-1) + ") " + s.sql
			if _, err := tx.DB().NewQuery(q).Bind(params).Execute(); err != nil {
				return fmt.Errorf("grow: %w\n%s", err, q)
			}
		}
		for k, to := range historyMoves {
			from := ""
			if k > 0 {
				from = historyMoves[k-1]
			}
			_, err := tx.DB().NewQuery(`INSERT INTO events (id, application, action, from_status, to_status, created, updated)
				SELECT printf('e%d', {:k}) || substr(id, 3), id, 'status', {:from}, {:to},
					strftime('%Y-%m-%d %H:%M:%fZ', created, '+' || {:k} || ' hours'), created
				FROM applications WHERE id LIKE 'ga%'`).
				Bind(dbx.Params{"k": k, "from": from, "to": to}).Execute()
			if err != nil {
				return fmt.Errorf("grow events: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		e.T.Fatal(err)
	}
}
