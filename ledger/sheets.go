package ledger

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/stats"
	"yuetan/workflow"
)

// Kind is how a column's cells are written.
type Kind int

// Column kinds.
const (
	Text Kind = iota
	Date      // a date-time cell (Asia/Shanghai wall time), empty when unset
	Number
)

// Column is one column of a sheet: its Chinese header and how a record
// gives its cell.
type Column struct {
	Header string
	Kind   Kind
	Width  float64
	// Value gives the cell of r; pub is r as the list API would hand it
	// to the caller (hidden and personal fields it may not see absent).
	Value func(ix *index, r *core.Record, pub map[string]any) any
}

// Sheet is one worksheet: the records of one collection whose When falls
// in the range, oldest first.
type Sheet struct {
	Name       string
	Collection string
	// When is, as SQL on the collection's table, the instant that puts a
	// record in the range.
	When    func(table string) string
	Columns []Column
}

// field reads a field as the list API hands it to the caller: "" when
// hidden from them.
func field(name string) func(*index, *core.Record, map[string]any) any {
	return func(_ *index, _ *core.Record, pub map[string]any) any { return str(pub[name]) }
}

// date reads a date field as the list API hands it.
func date(name string) func(*index, *core.Record, map[string]any) any {
	return func(_ *index, _ *core.Record, pub map[string]any) any { return parseDate(str(pub[name])) }
}

// label reads a field and prints its term's label.
func label(name string, terms workflow.Terms) func(*index, *core.Record, map[string]any) any {
	return func(_ *index, _ *core.Record, pub map[string]any) any { return terms.Label(str(pub[name])) }
}

func org(name string) func(*index, *core.Record, map[string]any) any {
	return func(ix *index, _ *core.Record, pub map[string]any) any { return ix.orgs[str(pub[name])].name }
}

func user(name string) func(*index, *core.Record, map[string]any) any {
	return func(ix *index, _ *core.Record, pub map[string]any) any { return ix.users[str(pub[name])].name }
}

// stageColumns are every stage's deadline and, where its act is one of
// its own, the date it was done: the deadline table (workflow.Stages).
func stageColumns() []Column {
	var out []Column
	for _, s := range workflow.Stages {
		out = append(out, Column{Header: s.Label + "·期限", Kind: Date, Width: 17, Value: date(s.Field)})
		if s.Done != "" {
			out = append(out, Column{Header: s.Label + "·完成", Kind: Date, Width: 17, Value: date(s.Done)})
		}
	}
	return out
}

// Sheets are the ledger's worksheets: applications (by first submission,
// the figures' 收到申请), issues (by collection time, the figures'
// problems and suggestions) and co-signatures (by signing time).
func Sheets() []Sheet {
	apps := []Column{
		{Header: "编号", Width: 22, Value: field(collections.AppSerial)},
		{Header: "约谈主体", Width: 20, Value: org(collections.AppCommunity)},
		{Header: "所属街道", Width: 14, Value: org(collections.AppStreet)},
		{Header: "主体类型", Width: 12, Value: label(collections.AppApplicantKind, workflow.ApplicantKinds)},
		{Header: "联系人", Width: 10, Value: field(collections.AppContactName)},
		{Header: "联系电话", Width: 14, Value: field(collections.AppContactPhone)},
		{Header: "约谈事项", Width: 30, Value: field(collections.AppSubject)},
		{Header: "内容类别", Width: 20, Value: label(collections.AppCategory, workflow.CategoryTerms)},
		{Header: "约谈对象", Width: 10, Value: user(collections.AppTargetLeader)},
		{Header: "接受约谈领导", Width: 12, Value: user(collections.AppAssignedLeader)},
		{Header: "领导类别", Width: 14, Value: func(ix *index, _ *core.Record, pub map[string]any) any {
			return workflow.LeaderRanks.Label(ix.users[str(pub[collections.AppAssignedLeader])].rank)
		}},
		{Header: "承办单位", Width: 14, Value: org(collections.AppHandlingUnit)},
		{Header: "当前状态", Width: 14, Value: label(collections.AppStatus, workflow.StatusTerms)},
		{Header: "报送街道", Kind: Date, Width: 17, Value: func(ix *index, r *core.Record, _ map[string]any) any { return ix.submitted[r.Id] }},
	}
	apps = append(apps, stageColumns()...)
	apps = append(apps,
		Column{Header: "解决时间", Kind: Date, Width: 17, Value: date(collections.AppResolvedAt)},
		Column{Header: "销号时间", Kind: Date, Width: 17, Value: date(collections.AppClosedAt)},
		Column{Header: "处理方式", Width: 10, Value: func(ix *index, r *core.Record, _ map[string]any) any {
			return workflow.Outcomes.Label(ix.outcome[r.Id])
		}},
		Column{Header: "满意度", Width: 10, Value: func(ix *index, r *core.Record, _ map[string]any) any {
			return workflow.Satisfactions.Label(ix.satisfaction[r.Id])
		}},
	)
	return []Sheet{
		{Name: "约谈申请", Collection: collections.Applications, When: func(t string) string { return stats.SubmittedSQL(t + ".id") }, Columns: apps},
		{Name: "问题和意见建议", Collection: collections.Issues, When: func(t string) string { return "NULLIF(" + t + "." + collections.IssueCollectedAt + ", '')" }, Columns: []Column{
			{Header: "社区", Width: 16, Value: org(collections.IssueCommunity)},
			{Header: "所属街道", Width: 14, Value: func(ix *index, _ *core.Record, pub map[string]any) any {
				return ix.orgs[ix.orgs[str(pub[collections.IssueCommunity])].parent].name
			}},
			{Header: "网格", Width: 10, Value: field(collections.IssueGrid)},
			{Header: "类别", Width: 8, Value: label(collections.IssueKind, workflow.IssueKinds)},
			{Header: "标题", Width: 28, Value: field(collections.IssueTitle)},
			{Header: "情况描述", Width: 40, Value: field(collections.IssueDescription)},
			{Header: "地址", Width: 24, Value: field(collections.IssueAddress)},
			{Header: "居民姓名", Width: 10, Value: field(collections.IssueResidentName)},
			{Header: "居民电话", Width: 14, Value: field(collections.IssueResidentPhone)},
			{Header: "来源", Width: 10, Value: label(collections.IssueSource, workflow.IssueSources)},
			{Header: "收集人", Width: 10, Value: user(collections.IssueCollectedBy)},
			{Header: "收集时间", Kind: Date, Width: 17, Value: date(collections.IssueCollectedAt)},
			{Header: "状态", Width: 14, Value: label(collections.IssueStatus, workflow.IssueStatuses)},
			{Header: "约谈申请编号", Width: 22, Value: func(ix *index, _ *core.Record, pub map[string]any) any {
				return ix.serials[str(pub[collections.IssueApplication])]
			}},
		}},
		{Name: "居民联名", Collection: collections.Signatures, When: func(t string) string {
			return "COALESCE(NULLIF(" + t + "." + collections.SigSignedAt + ", ''), " + t + "." + collections.FieldCreated + ")"
		}, Columns: []Column{
			{Header: "约谈申请编号", Width: 22, Value: func(ix *index, _ *core.Record, pub map[string]any) any {
				return ix.serials[str(pub[collections.SigApplication])]
			}},
			{Header: "约谈事项", Width: 30, Value: func(ix *index, _ *core.Record, pub map[string]any) any {
				return ix.subjects[str(pub[collections.SigApplication])]
			}},
			{Header: "姓名", Width: 10, Value: field(collections.SigName)},
			{Header: "住址", Width: 24, Value: field(collections.SigAddress)},
			{Header: "联系电话", Width: 14, Value: field(collections.SigPhone)},
			{Header: "签名时间", Kind: Date, Width: 17, Value: func(_ *index, _ *core.Record, pub map[string]any) any {
				if t := parseDate(str(pub[collections.SigSignedAt])); t != nil {
					return t
				}
				return parseDate(str(pub[collections.FieldCreated]))
			}},
			{Header: "收集人", Width: 10, Value: user(collections.SigCollectedBy)},
		}},
	}
}
