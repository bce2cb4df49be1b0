package pdf

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

var cst = time.FixedZone("CST", 8*3600)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, cst) }

func meta(serial string) Meta {
	return Meta{
		Serial:      serial,
		VerifyCode:  "7Q4K-9XTA",
		VerifyURL:   "https://yuetan.example.gov.cn/v/" + serial,
		GeneratedAt: time.Date(2026, 11, 23, 10, 20, 0, 0, cst),
	}
}

// fixture is one record of a form, rendered by the golden, text, raster
// and benchmark tests. texts are the record's strings that must come back
// from pdftotext; typical marks the one-page record benchmarked per form.
type fixture struct {
	name    string
	form    string
	render  func(io.Writer) error
	texts   []string
	pages   int
	typical bool
}

func seedText(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("testdata/seed.txt")
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// signaturePNG draws a scribble standing in for a captured signature:
// transparent background, dark strokes, w×h pixels.
func signaturePNG(seed, w, h int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	ink := color.NRGBA{20, 30, 90, 255}
	for t := 0.0; t < 1; t += 0.0005 {
		x := 0.1*float64(w) + 0.8*float64(w)*t
		y := float64(h)/2 + float64(h)*0.3*math.Sin(t*float64(7+seed)*math.Pi)*math.Cos(t*3)
		for dx := -1; dx <= 1; dx++ {
			for dy := -1; dy <= 1; dy++ {
				img.SetNRGBA(int(x)+dx, int(y)+dy, ink)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

var (
	fixPoints = "一、划船社区12幢至18幢地势低洼，去年“菲特”台风期间积水深达80厘米，一楼住户家具家电受损严重；" +
		"二、小区雨水管网建于上世纪90年代，管径偏小，多处堵塞，暴雨时排水不畅；" +
		"三、居民希望在明年汛期前完成排涝改造，并在施工期间做好交通疏导和安全防护。"
	fixAnswer = "胡军书记表示：低洼地排涝是群众最关心、最直接、最现实的利益问题，必须抓紧解决。" +
		"一是由区住建局牵头，会同白鹤街道、区城管局于12月15日前完成现场勘察和改造方案；" +
		"二是改造资金纳入2027年区级民生实事项目，确保明年5月底前完工；" +
		"三是施工期间由街道、社区做好居民解释和安全防护工作，办理情况及时向社区反馈。"
	fixSigners = []string{"李德华", "王秀英", "张建国", "陈玥", "刘喆", "杨堃", "赵昇", "黄珺", "周赟", "吴禕",
		"徐海燕", "孙志强", "马丽娟", "朱卫东", "胡晓梅", "郭立新", "何静", "高峰", "林美玲", "罗建平",
		"梁少华", "宋春花", "郑国庆", "谢文斌", "韩雪"}
)

func fixtures(tb testing.TB) []fixture {
	tb.Helper()
	seed := seedText(tb)

	app := ApplicationData{
		Meta:              meta("YT-2026-0193"),
		ApplicantName:     "划船社区",
		ApplicantKind:     ApplicantCommunity,
		Street:            "白鹤街道",
		ContactName:       "李德华",
		ContactPhone:      "0574-87654321",
		LeaderName:        "胡军",
		LeaderTitle:       "区委书记",
		Subject:           "划船社区低洼地排涝改造",
		Category:          CategoryCommunityBuilding,
		Description:       "去年“菲特”台风造成小区严重积水，12幢至18幢一楼住户受灾，居民反映强烈。社区多次向有关部门反映，因涉及管网改造和资金，街道层面难以解决。",
		Request:           "希望区里统筹安排资金，对划船社区低洼地块实施排涝改造，明年汛期前完工。",
		AffectedResidents: 320,
		TalkForm:          TalkVisit,
		Urgent:            true,
		Issues: []LinkedIssue{
			{Title: "小区积水", Address: "划船社区12幢"},
			{Title: "雨水管网堵塞", Address: "划船路88号"},
		},
		SubmittedAt:   day(2026, 11, 18),
		StreetOpinion: Opinion{Text: "情况属实。街道已组织疏通管网，但根本解决需实施排涝改造，建议提交区领导约谈。", Signer: "王敏", Date: day(2026, 11, 20)},
	}
	appLong := app
	appLong.Meta = meta("YT-2026-0194")
	appLong.Description = seed
	appLong.GroupOpinion = Opinion{Text: "同意受理，交胡军同志约谈。", Signer: "陈立", Date: day(2026, 11, 23)}

	sig := func(n, images int) SignaturesData {
		d := SignaturesData{Meta: meta("YT-2026-0195"), Subject: "划船社区低洼地排涝改造", Community: "划船社区", Street: "白鹤街道"}
		for i := 0; i < n; i++ {
			s := Signer{
				Name:     fixSigners[i%len(fixSigners)],
				Address:  fmt.Sprintf("划船社区%d幢%d单元%d室", 12+i%7, 1+i%3, 101+i*7%500),
				Phone:    fmt.Sprintf("1380574%04d", 1000+i*37),
				SignedAt: day(2026, 11, 10+i%5),
			}
			if i < images {
				s.Signature = signaturePNG(i, 400, 150)
			}
			d.Signers = append(d.Signers, s)
		}
		return d
	}
	sigFew := sig(3, 2)
	sigMany := sig(25, 6)
	sigArchive := sig(3, 2)
	sigArchive.Archive = true

	notice := NoticeData{
		Meta:             meta("YT-2026-0193-J"),
		LeaderName:       "胡军",
		LeaderTitle:      "区委书记",
		ApplicantName:    "划船社区",
		Subject:          "划船社区低洼地排涝改造",
		Category:         CategoryCommunityBuilding,
		Summary:          "划船社区12幢至18幢地势低洼，汛期积水严重，涉及居民320人，社区申请约谈区委书记，商请统筹实施排涝改造。",
		AcceptedAt:       day(2026, 11, 20),
		DeliveredAt:      day(2026, 11, 23),
		ScheduleDeadline: day(2026, 11, 30),
		IssuedAt:         day(2026, 11, 23),
	}

	talk := TalkData{
		Meta:              meta("YT-2026-0193-T"),
		Subject:           "划船社区低洼地排涝改造",
		ApplicantName:     "划船社区",
		HeldAt:            time.Date(2026, 11, 27, 14, 30, 0, 0, cst),
		Place:             "划船社区居民活动室",
		TalkForm:          TalkVisit,
		LeaderName:        "胡军",
		LeaderTitle:       "区委书记",
		Participants:      "区住建局、区城管局、白鹤街道负责同志；划船社区党委书记；居民代表8人",
		Points:            fixPoints,
		Answer:            fixAnswer,
		Outcome:           OutcomeAssigned,
		HandlingUnit:      "区住建局",
		ResponsiblePerson: "周明（副局长）",
		HandlingDeadline:  day(2027, 5, 31),
		Recorder:          "钱小红",
	}
	talkLong := talk
	talkLong.Meta = meta("YT-2026-0196-T")
	talkLong.Points = strings.Repeat(fixPoints+"\n", 6) + string([]rune(seed)[:500])
	talkLong.Answer = strings.Repeat(fixAnswer+"\n", 8)

	feedback := FeedbackData{
		Meta:              meta("YT-2026-0193-F"),
		Subject:           "划船社区低洼地排涝改造",
		ApplicantName:     "划船社区",
		LeaderName:        "胡军",
		LeaderTitle:       "区委书记",
		Unit:              "区住建局",
		ResponsiblePerson: "周明",
		AssignedAt:        day(2026, 11, 27),
		Deadline:          day(2027, 5, 31),
		CompletedAt:       day(2027, 5, 20),
		Measures:          "会同白鹤街道、区城管局完成现场勘察，编制排涝改造方案；新建雨水管网1.2公里、泵站1座，改造12幢至18幢周边路面；施工期间每周向社区通报进度。",
		Result:            "工程于2027年5月20日完工并通过验收，经汛期检验，小区未再出现积水。",
		UnitHead:          Opinion{Signer: "李强", Date: day(2027, 5, 21)},
		LeaderApproval:    Opinion{Text: "同意销号。请街道做好后续管护。", Signer: "胡军", Date: day(2027, 5, 24)},
		RepliedAt:         day(2027, 5, 25),
		Satisfaction:      SatisfactionSatisfied,
		Applicant:         Opinion{Text: "居民对改造效果表示满意，感谢区委区政府。", Signer: "李德华", Date: day(2027, 5, 26)},
	}

	streets := []string{"白鹤街道", "百丈街道", "东胜街道", "明楼街道", "福明街道", "东柳街道", "东郊街道", "新明街道", "潘火街道", "邱隘镇", "五乡镇", "东吴镇"}
	bul := BulletinData{
		Meta:     meta("DC-2026-11"),
		Month:    day(2026, 11, 1),
		Issuer:   "区委区府办督查室",
		IssuedAt: day(2026, 12, 2),
		Summary:  "11月，全区各社区（股份经济合作社）共申报约谈事项38件，专门工作小组受理31件。现将办理情况通报如下，请各责任单位对照超期清单，抓紧办理。",
		Totals:   BulletinTotals{Received: 38, Accepted: 31, Declined: 7, OnSpot: 12, Assigned: 19, Closed: 15, OverdueNow: 4, Satisfaction: Rate{Num: 27, Den: 29}},
		Stages: []StageRate{{"专门工作小组审核", Rate{36, 38}}, {"交办通知单送达（3个工作日）", Rate{30, 31}},
			{"领导商定约谈（5个工作日）", Rate{27, 31}}, {"承办单位办结", Rate{15, 17}}},
		Rankings: []RankTable{
			{Kind: "承办单位", Rows: []RankRow{{Name: "区城管局", Response: Rate{9, 10}, Resolution: Rate{8, 9}, Satisfaction: Rate{7, 8}, Rank: 1},
				{Name: "区住建局", Response: Rate{5, 7}, Resolution: Rate{4, 6}, Satisfaction: Rate{3, 4}, Rank: 2}}},
			{Kind: "领导", Rows: []RankRow{{Name: "胡军", Resolution: Rate{3, 3}, Satisfaction: Rate{2, 2}, Rank: 1}}},
		},
		Notes: []Note{{"收到申请", "统计期内首次报送街道的申请件数；从未报送的草稿不计。"},
			{"按期率", "统计期内办完的该环节中在期限当日或之前办完的件数，除以统计期内办完的件数加上截至统计期末仍未办完且已过期限的件数。"}},
	}
	for i, s := range streets {
		rec := 1 + (i*7)%6
		acc := rec - i%2
		bul.Streets = append(bul.Streets, StreetFigures{Street: s, Received: rec, Accepted: acc, Resolved: acc / 2, Overdue: i % 3 / 2, OnTime: Rate{acc/2 - i%3/2, acc / 2}})
	}
	stages := []string{"交办", "商定", "办理"}
	units := []string{"区住建局", "区城管局", "胡军（区委书记）", "区经信局", "白鹤街道办事处"}
	for i := 0; i < 30; i++ {
		bul.Overdue = append(bul.Overdue, OverdueItem{
			Serial:      fmt.Sprintf("YT-2026-%04d", 101+i*3),
			Subject:     []string{"低洼地排涝改造", "变电站开关箱扩容", "河道清淤", "僵尸车清理", "物业管理纠纷调处", "菜市场布点"}[i%6],
			Stage:       stages[i%3],
			Responsible: units[i%5],
			DaysOverdue: 1 + i%9,
		})
	}

	return []fixture{
		{name: "application", form: "application", typical: true, pages: 1,
			render: func(w io.Writer) error { return RenderApplication(w, app) },
			texts:  []string{app.ApplicantName, app.Street, app.ContactPhone, app.Subject, app.Description, app.Request, app.StreetOpinion.Text, "胡军（区委书记）", "320"}},
		{name: "application_seed", form: "application",
			render: func(w io.Writer) error { return RenderApplication(w, appLong) },
			texts:  []string{appLong.Description, appLong.Request, appLong.GroupOpinion.Text}},
		{name: "signatures", form: "signatures", typical: true, pages: 1,
			render: func(w io.Writer) error { return RenderSignatures(w, sigFew) },
			texts:  []string{sigFew.Subject, sigFew.Signers[0].Name, sigFew.Signers[2].Address, MaskPhone(sigFew.Signers[1].Phone), "传阅件", "2026年11月11日"}},
		{name: "signatures_archive", form: "signatures", pages: 1,
			render: func(w io.Writer) error { return RenderSignatures(w, sigArchive) },
			texts:  []string{sigArchive.Signers[0].Name, sigArchive.Signers[1].Phone, sigArchive.Signers[2].Phone, "存档件", "2026年11月12日"}},
		{name: "signatures_many", form: "signatures", pages: 2,
			render: func(w io.Writer) error { return RenderSignatures(w, sigMany) },
			texts:  []string{sigMany.Signers[0].Name, sigMany.Signers[24].Name, sigMany.Signers[24].Address, MaskPhone(sigMany.Signers[17].Phone)}},
		{name: "notice", form: "notice", typical: true, pages: 1,
			render: func(w io.Writer) error { return RenderNotice(w, notice) },
			texts:  []string{notice.Summary, notice.Subject, "2026年11月30日前", "胡军（区委书记）", "本社区建设"}},
		{name: "talk", form: "talk", typical: true, pages: 1,
			render: func(w io.Writer) error { return RenderTalk(w, talk) },
			texts:  []string{talk.Points, talk.Answer, talk.Participants, talk.Place, talk.ResponsiblePerson, "2026年11月27日14:30"}},
		{name: "talk_long", form: "talk",
			render: func(w io.Writer) error { return RenderTalk(w, talkLong) },
			texts:  []string{talkLong.Points, talkLong.Answer}},
		{name: "feedback", form: "feedback", typical: true, pages: 1,
			render: func(w io.Writer) error { return RenderFeedback(w, feedback) },
			texts:  []string{feedback.Measures, feedback.Result, feedback.LeaderApproval.Text, feedback.Applicant.Text}},
		{name: "bulletin", form: "bulletin", typical: true,
			render: func(w io.Writer) error { return RenderBulletin(w, bul) },
			texts:  []string{bul.Summary, "区委区府办督查室", "93.1%", bul.Overdue[29].Serial, "2026年11月群众约谈事项督查通报"}},
	}
}
