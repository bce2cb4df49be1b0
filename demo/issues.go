package demo

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/collections"
)

// issueSeed is one demo issue: community code, kind, title, description,
// address, resident and source.
type issueSeed struct {
	Community, Kind, Title, Description, Address, Resident, Phone, Source string
}

// Matters from the case report's list (drainage, switch boxes, dredging,
// zombie cars, property management, food markets, health services) and
// their like; people and addresses are fictional.
var issueSeeds = []issueSeed{
	{"DL-HC", "problem", "小区低洼地排涝改造", "去年台风期间小区严重积水，一楼住户进水，电表箱被淹，希望对低洼地进行排涝改造，加高河堤、抬高电表箱。", "划船社区3幢前", "张建华", "13900000001", "door_to_door"},
	{"DL-HC", "problem", "中塘河河道淤积", "中塘河划船段淤泥堆积，夏天有异味，汛期排水不畅。", "中塘河划船段", "李秀英", "13900000002", "meeting"},
	{"DL-HC", "problem", "小区僵尸车占用车位", "小区内有七八辆长期停放的废弃车辆，占用公共车位，影响消防通道。", "划船社区停车场", "王国庆", "13900000003", "door_to_door"},
	{"DL-HC", "suggestion", "增设老年食堂", "社区老年人多，建议在社区服务中心增设老年食堂，解决老人吃饭难。", "划船社区服务中心", "赵桂兰", "13900000004", "meeting"},
	{"DL-HC", "problem", "楼道照明损坏", "5幢、6幢楼道灯长期不亮，老人夜间上下楼不便。", "划船社区5幢", "钱文明", "13900000005", "door_to_door"},
	{"DL-HC", "suggestion", "加装电梯意见征集", "多层住宅老年住户希望加装电梯，请社区牵头征求意见。", "划船社区8幢", "孙美玲", "13900000006", "meeting"},
	{"DL-DLF", "problem", "物业管理服务不到位", "小区物业保洁不及时，门岗形同虚设，业主多次反映无改善。", "东柳坊小区", "周卫东", "13900000007", "meeting"},
	{"DL-DLF", "problem", "小区停车难", "夜间车辆停放无序，堵塞消防通道。", "东柳坊小区北门", "吴丽华", "13900000008", "door_to_door"},
	{"DL-DLF", "suggestion", "增设电动车充电桩", "电动车楼道充电存在火灾隐患，建议增设集中充电桩。", "东柳坊小区", "郑小红", "13900000009", "door_to_door"},
	{"DL-GF", "problem", "合作社厂房周边道路破损", "合作社厂房周边道路坑洼，货车通行困难。", "东柳股份经济合作社厂区", "冯志强", "13900000010", "hotline"},
	{"BH-DH", "problem", "基层卫生服务站就医不便", "社区卫生服务站医生少、开放时间短，老人配药要跑很远。", "东海花园社区卫生服务站", "陈国华", "13900000011", "meeting"},
	{"BH-DH", "problem", "买菜难", "周边菜场拆除后，居民买菜需步行二十分钟以上。", "东海花园社区", "褚秀兰", "13900000012", "door_to_door"},
	{"BH-DH", "suggestion", "社区公园增加健身器材", "建议在社区公园增加适合老年人的健身器材。", "东海花园社区公园", "卫红梅", "13900000013", "meeting"},
	{"BH-DH", "problem", "垃圾分类投放点异味", "垃圾投放点清运不及时，夏季异味大。", "东海花园12幢旁", "蒋建军", "13900000014", "door_to_door"},
	{"BH-HL", "problem", "配电箱老化需改造", "小区配电箱老化，夏季用电高峰经常跳闸停电。", "黄鹂社区2幢", "沈德明", "13900000015", "meeting"},
	{"BH-HL", "problem", "雨污管道堵塞", "雨污管道经常堵塞，下雨天污水外溢。", "黄鹂社区4幢", "韩玉珍", "13900000016", "door_to_door"},
	{"BH-HL", "suggestion", "开设四点半课堂", "双职工家庭孩子放学无人看管，建议开设四点半课堂。", "黄鹂社区活动室", "杨晓东", "13900000017", "meeting"},
	{"BH-GF", "problem", "合作社集体用房漏水", "集体用房屋顶漏水，需维修。", "白鹤股份经济合作社", "朱建平", "13900000018", "hotline"},
	{"ML-ML", "problem", "老旧小区外墙脱落", "明楼小区外墙瓷砖脱落，有安全隐患。", "明楼小区7幢", "秦晓梅", "13900000019", "door_to_door"},
	{"ML-ML", "problem", "夜市噪音扰民", "小区旁夜市经营到凌晨，噪音扰民。", "明楼路夜市", "尤振华", "13900000020", "meeting"},
	{"ML-HF", "suggestion", "增设无障碍通道", "社区服务中心门口台阶多，建议增设无障碍通道。", "和丰社区服务中心", "许丽娟", "13900000021", "meeting"},
	{"ML-HF", "problem", "共享单车乱停放", "地铁口共享单车乱停，堵塞人行道。", "和丰地铁站口", "何志明", "13900000022", "door_to_door"},
	{"DL-HC", "problem", "小区绿化带被侵占种菜", "部分居民在绿化带种菜，影响环境。", "划船社区2幢旁", "吕红英", "13900000023", "door_to_door"},
	{"DL-HC", "problem", "变电箱噪音", "小区变电箱运行噪音大，影响附近住户休息。", "划船社区10幢", "施国平", "13900000024", "door_to_door"},
	{"BH-DH", "problem", "小区门禁系统故障", "门禁经常失灵，外来人员随意进出。", "东海花园东门", "张丽萍", "13900000025", "door_to_door"},
	{"BH-HL", "problem", "河道清淤", "黄鹂港河道多年未清淤，水质发黑。", "黄鹂港", "孔德胜", "13900000026", "meeting"},
	{"DL-DLF", "problem", "违章搭建", "小区内有住户违章搭建阳光房，影响邻居采光。", "东柳坊小区5幢", "曹文静", "13900000027", "door_to_door"},
	{"ML-ML", "suggestion", "社区增设图书角", "建议在社区活动室增设图书角。", "明楼社区活动室", "严小兵", "13900000028", "meeting"},
	{"DL-HC", "problem", "电表箱抬高", "一楼电表箱位置低，积水时有触电隐患。", "划船社区3幢", "华振国", "13900000029", "door_to_door"},
	{"BH-DH", "suggestion", "建设社区食堂", "建议利用闲置用房建设社区食堂。", "东海花园社区", "金美华", "13900000030", "meeting"},
	{"ML-HF", "problem", "电梯频繁故障", "高层住宅电梯频繁故障，困人事件多次发生。", "和丰小区3幢", "魏国强", "13900000031", "hotline"},
	{"BH-HL", "problem", "僵尸车清理", "小区道路两侧有多辆僵尸车。", "黄鹂社区主干道", "陶建英", "13900000032", "door_to_door"},
	{"DL-HC", "problem", "5幢楼道堆放杂物堵塞消防通道", "5幢2单元楼道内堆放旧家具和纸箱，堵塞消防通道，存在火灾隐患。", "划船社区5幢2单元", "朱桂芳", "13900000033", "door_to_door"},
}

// duplicateSeed is an issue recorded again (by someone else, a little
// later, a few metres off) that community staff marked a duplicate of the
// first record.
type duplicateSeed struct {
	Original, Title, Description, Resident, Phone, Source, By string
}

var duplicateSeeds = []duplicateSeed{
	{"5幢楼道堆放杂物堵塞消防通道", "5幢楼道杂物堵塞消防通道", "居民来电反映5幢楼道杂物多，消防通道不畅。", "钱文明", "13900000005", "hotline", "staff@yuetan.example"},
}

// meetingSeeds: one collection meeting per community code.
var meetingSeeds = map[string]struct{ Kind, Title string }{
	"DL-HC":  {"wuju", "划船社区物居恳谈会（排涝专题）"},
	"DL-DLF": {"xiaoxiang", "东柳坊小巷公议会"},
	"BH-DH":  {"wuju", "东海花园物居恳谈会"},
	"BH-HL":  {"xiaoxiang", "黄鹂社区小巷公议会"},
	"ML-ML":  {"other", "明楼社区居民议事会"},
	"ML-HF":  {"xiaoxiang", "和丰社区小巷公议会"},
}

// collectorFor returns the demo account that collects issues of a community.
func collectorFor(community string) string {
	switch community {
	case "DL-HC":
		return "grid@yuetan.example"
	case "BH-DH":
		return "grid2@yuetan.example"
	case "BH-HL":
		return "staff3@yuetan.example"
	case "DL-DLF":
		return "staff4@yuetan.example"
	}
	return ""
}

// seedIssues creates the meetings and issues, a few weeks back.
func (s *seeder) seedIssues() error {
	mc, err := s.app.FindCollectionByNameOrId(collections.Meetings)
	if err != nil {
		return err
	}
	ic, err := s.app.FindCollectionByNameOrId(collections.Issues)
	if err != nil {
		return err
	}
	// the collection meetings about nine weeks back, an afternoon each;
	// the issues in the working days after, a few a day, before any
	// application (the earliest story starts about 40 days back)
	base := s.clock.daysAgo(62)
	meetings := map[string]*core.Record{}
	codes := make([]string, 0, len(meetingSeeds))
	for code := range meetingSeeds {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for i, code := range codes {
		m := meetingSeeds[code]
		held := s.clock.at(s.clock.after(base, i%3), 14, 30)
		r := core.NewRecord(mc)
		r.Set(collections.MeetingCommunity, s.orgs[code].Id)
		r.Set(collections.MeetingKind, m.Kind)
		r.Set(collections.MeetingTitle, m.Title)
		r.Set(collections.MeetingHeldOn, held)
		r.Set(collections.MeetingAttendees, 30)
		r.Set(collections.MeetingNotes, "居民代表、业委会、物业、社区民警参加，逐户收集意见。")
		if err := s.app.SaveWithContext(s.as(collectorFor(code), held.Add(2*time.Hour)), r); err != nil {
			return fmt.Errorf("meeting %s: %w", m.Title, err)
		}
		meetings[code] = r
	}
	collected := s.clock.slots(s.clock.at(s.clock.after(base, 3), 9, 20), len(issueSeeds), 2*time.Hour+25*time.Minute)
	s.issues = map[string]*core.Record{}
	for i, is := range issueSeeds {
		r := core.NewRecord(ic)
		r.Set(collections.IssueCommunity, s.orgs[is.Community].Id)
		r.Set(collections.IssueGrid, fmt.Sprintf("第%d网格", i%4+1))
		r.Set(collections.IssueKind, is.Kind)
		r.Set(collections.IssueTitle, is.Title)
		r.Set(collections.IssueDescription, is.Description)
		r.Set(collections.IssueAddress, is.Address)
		r.Set(collections.IssueResidentName, is.Resident)
		r.Set(collections.IssueResidentPhone, is.Phone)
		r.Set(collections.IssueSource, is.Source)
		r.Set(collections.IssueLocation, placeOf(is.Community, is.Address, i))
		if is.Source == "meeting" {
			if m := meetings[is.Community]; m != nil {
				r.Set(collections.IssueMeeting, m.Id)
			}
		}
		at := collected[i]
		r.Set(collections.IssueCollectedAt, at)
		if err := s.app.SaveWithContext(s.as(collectorFor(is.Community), at), r); err != nil {
			return fmt.Errorf("issue %s: %w", is.Title, err)
		}
		s.issues[is.Title] = r
	}
	return s.seedDuplicates(ic)
}

// seedDuplicates records each duplicate and marks it, as the community's
// staff would on seeing the possible-duplicate hint.
func (s *seeder) seedDuplicates(ic *core.Collection) error {
	for _, d := range duplicateSeeds {
		orig := s.issues[d.Original]
		when := s.clock.officeTime(s.clock.after(orig.GetDateTime(collections.IssueCollectedAt).Time(), 1), d.Title)
		loc := orig.GetGeoPoint(collections.IssueLocation)
		r := core.NewRecord(ic)
		r.Load(map[string]any{
			collections.IssueCommunity: orig.GetString(collections.IssueCommunity), collections.IssueKind: "problem",
			collections.IssueTitle: d.Title, collections.IssueDescription: d.Description,
			collections.IssueAddress: orig.GetString(collections.IssueAddress), collections.IssueResidentName: d.Resident,
			collections.IssueResidentPhone: d.Phone, collections.IssueSource: d.Source, collections.IssueCollectedAt: when,
			collections.IssueGrid:     orig.GetString(collections.IssueGrid),
			collections.IssueLocation: types.GeoPoint{Lat: loc.Lat + 0.00004, Lon: loc.Lon - 0.00003},
		})
		if err := s.app.SaveWithContext(s.as(d.By, when), r); err != nil {
			return fmt.Errorf("issue %s: %w", d.Title, err)
		}
		r.Set(collections.IssueDuplicateOf, orig.Id)
		if err := s.app.SaveWithContext(s.as(d.By, when.Add(20*time.Minute)), r); err != nil {
			return fmt.Errorf("mark %s a duplicate: %w", d.Title, err)
		}
	}
	return nil
}

// communityCentres are where each demo community lies (fictional, in one
// district of a coastal city): its issues are recorded within a few
// hundred metres of it.
var communityCentres = map[string]types.GeoPoint{
	"DL-HC":  {Lat: 29.86420, Lon: 121.56310},
	"DL-DLF": {Lat: 29.86985, Lon: 121.57460},
	"DL-GF":  {Lat: 29.87530, Lon: 121.58120},
	"BH-DH":  {Lat: 29.85210, Lon: 121.59040},
	"BH-HL":  {Lat: 29.84760, Lon: 121.60150},
	"BH-GF":  {Lat: 29.84190, Lon: 121.61020},
	"ML-ML":  {Lat: 29.87860, Lon: 121.55020},
	"ML-HF":  {Lat: 29.88470, Lon: 121.54210},
}

// placeOf is where the i-th demo issue of community was recorded: around
// the community's centre at the spot its address names (issues at one
// building lie a few metres apart), up to about 300 m off.
func placeOf(community, address string, i int) types.GeoPoint {
	c := communityCentres[community]
	h := fnv.New32a()
	_, _ = h.Write([]byte(spotOf(address)))
	n := h.Sum32()
	// the spot: up to ±0.0028° (about 300 m); the issue: ±0.00008° (about 8 m) about it
	dx := float64(int(n%57)-28)*0.0001 + float64((i*7)%5-2)*0.00004
	dy := float64(int(n/57%53)-26)*0.0001 + float64((i*3)%5-2)*0.00004
	return types.GeoPoint{Lat: c.Lat + dy, Lon: c.Lon + dx}
}

// spotOf is the place an address names, without what is near it or inside
// it: 划船社区3幢前 and 划船社区3幢 are both 划船社区3幢.
func spotOf(address string) string {
	if i := strings.Index(address, "幢"); i >= 0 {
		return address[:i+len("幢")]
	}
	return address
}
