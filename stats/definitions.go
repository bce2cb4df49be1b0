package stats

// Definition says, once, what one figure counts: the event that defines
// it and its period. The figures page shows the table as its footnote,
// the monthly bulletin prints it, GET /api/stats serves it.
type Definition struct {
	Key  string `json:"key"`
	Term string `json:"term"`
	Text string `json:"text"`
}

// The figures' keys.
const (
	DefPeriod       = "period"
	DefReceived     = "received"
	DefAccepted     = "accepted"
	DefDeclined     = "declined"
	DefStreet       = "street_resolved"
	DefOnSpot       = "on_spot"
	DefAssigned     = "assigned"
	DefResolved     = "resolved"
	DefClosed       = "closed"
	DefOnTime       = "on_time"
	DefOverdue      = "overdue"
	DefInProgress   = "in_progress"
	DefSatisfaction = "satisfaction"
	DefWork         = "work"
	DefResponse     = "response"
	DefResolution   = "resolution"
	DefRanking      = "ranking"
)

// Definitions is the one table of what each figure counts.
var Definitions = []Definition{
	{DefPeriod, "统计期", "按北京时间的自然日划分，含起止两日；每项数字按定义它的办理事件（审计记录）落在统计期内计数，不按记录的创建时间。"},
	{DefReceived, "收到申请", "统计期内首次报送街道的申请件数（一件申请只计一次，退回后再报送不重复计）；从未报送的草稿不计。"},
	{DefAccepted, "受理", "统计期内专门工作小组受理的件数，按接受约谈领导分为区四套班子领导和区管党政正职。"},
	{DefDeclined, "不予受理", "统计期内决定不予受理、按一般来信处理的件数。"},
	{DefStreet, "街道层面解决", "统计期内街道审核时在街道层面解决的件数。"},
	{DefOnSpot, "现场解决", "统计期内约谈后现场解决（含解释说明）的件数。"},
	{DefAssigned, "交办解决", "统计期内约谈后交办承办单位办理的件数。"},
	{DefResolved, "办结", "统计期内办结的件数：街道层面解决、现场解决，或领导审核同意承办单位的办理反馈。"},
	{DefClosed, "办结销号", "统计期内督查销号的件数。"},
	{DefOnTime, "按期率", "每个环节：统计期内办完的该环节中，在期限当日或之前办完的件数，除以统计期内办完的件数加上截至统计期末（统计期未结束的，截至统计时）仍未办完且已过期限的件数；分母为 0 时记“—”。"},
	{DefOverdue, "当前超期", "截至统计时仍在办、已过所处环节期限的事项，不论何时收到；超期天数按工作日计（周末和法定节假日不计，调休上班日计入），从期限次日起算。"},
	{DefInProgress, "在办", "截至统计时各环节在办的件数，不含草稿、不予受理、已解决、已答复和已销号的事项。"},
	{DefSatisfaction, "满意率", "统计期内向约谈主体答复结果的事项中，评价为满意或基本满意的件数除以答复件数（以最后一次答复的评价为准）；各承办单位、领导、街道按其经手的事项分别计。"},
	{DefResponse, "响应率", "每个承办单位、领导：统计期内应签收的事项中按时签收的比例，按期率的算法（签收期限当日或之前签收为按时，逾期未签收计为未按时）。"},
	{DefResolution, "解决率", "每个承办单位、领导、街道：统计期内交到它手上的事项（承办单位：交办承办；领导：受理后确定由其接受约谈；街道：报送街道）中，截至统计期末（统计期未结束的，截至统计时）已办结的比例（承办单位以领导审核同意反馈为办结）。"},
	{DefRanking, "排名", "承办单位、领导、街道各自排名：先比解决率，再比满意率，再比响应率，均由高到低；某率无应计件数的排在有件数者之后；各率相同者名次并列。每个比率均列出件数，不单看百分比。"},
	{DefWork, "收集工作", "社区（股份经济合作社）数为全区现有数；恳谈会按召开日期、问题和意见建议按收集时间计入统计期。"},
}

// DefinitionOf returns the definition of key.
func DefinitionOf(key string) Definition {
	for _, d := range Definitions {
		if d.Key == key {
			return d
		}
	}
	return Definition{}
}
