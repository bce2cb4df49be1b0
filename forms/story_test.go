package forms_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"yuetan/collections"
	"yuetan/forms"
	"yuetan/internal/testenv"
	"yuetan/internal/testtool"
	"yuetan/pdf"
	"yuetan/workdays"
)

// TestSeedStoryForms: every form of the seed's story (划船社区低洼地排涝改造,
// closed) prints for its community staff as a PDF with its Chinese file
// name, and pdftotext gives back the record's subject, serial and leader.
func TestSeedStoryForms(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	a := application(env, storySubject)
	serial := a.GetString(collections.AppSerial)
	talk := first(env, collections.Talks, a.Id)
	fb := first(env, collections.Feedback, a.Id)
	for _, c := range []struct {
		url, title string
		texts      []string
	}{
		{"/api/forms/application/" + a.Id, "群众约谈登记申报表", []string{"周明远（区委书记）", "划船社区", "东柳街道",
			"街道层面难以解决，报区专门工作小组。", "经专门工作小组集中会审，同意受理。", "吴强", "林涛"}},
		{"/api/forms/notice/" + a.Id, "群众约谈交办通知单", []string{"周明远（区委书记）", "划船社区"}},
		{"/api/forms/talk/" + a.Id, "群众约谈情况登记表", []string{"周明远（区委书记）", "划船社区会议室", "交由区城管局牵头办理，限期办结。", "马超"}},
		{"/api/forms/talk/" + talk.Id, "群众约谈情况登记表", []string{"约谈办记录员"}},
		{"/api/forms/feedback/" + a.Id, "群众约谈事项办理情况反馈表", []string{"周明远（区委书记）", "区城管局",
			"已按要求完成整改，居民反映的问题得到解决。", "同意，请向约谈主体反馈。", "居民对办理结果表示认可。"}},
		{"/api/forms/feedback/" + fb.Id, "群众约谈事项办理情况反馈表", []string{"专题研究办理方案，明确责任人和完成时限。"}},
	} {
		t.Run(c.url, func(t *testing.T) {
			res := get(env, c.url, staff)
			if res.status != 200 {
				t.Fatalf("status %d: %s", res.status, res.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/pdf" {
				t.Errorf("Content-Type %q", ct)
			}
			cd := res.header.Get("Content-Disposition")
			name, ascii := fileName(t, cd)
			if want := c.title + "-" + serial + ".pdf"; name != want {
				t.Errorf("file name %q, want %q (%s)", name, want, cd)
			}
			if !strings.HasPrefix(cd, "inline;") || ascii == "" || strings.ContainsFunc(ascii, func(r rune) bool { return r > 0x7e }) {
				t.Errorf("Content-Disposition %q: want inline with an ASCII fallback", cd)
			}
			if !isPDF(res.body) {
				t.Fatal("not a PDF")
			}
			text := pdfText(t, res.body)
			for _, want := range append([]string{storySubject, "编号：" + serial, c.title}, c.texts...) {
				if !strings.Contains(text, stripSpace(want)) {
					t.Errorf("%q not in the PDF's text:\n%s", want, text)
				}
			}
		})
	}
}

// TestSignaturesSheet: the residents' draft (划船社区僵尸车清理) prints its
// co-signers for the community, before it has a serial: on the sheet that
// circulates every phone masked (137****0003), on the archive copy
// (?copy=archive) in full and marked so.
func TestSignaturesSheet(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	a := application(env, "划船社区僵尸车清理")
	// one resident signed on the tablet's pad
	sig := first(env, collections.Signatures, a.Id)
	if up := multipartPatch(t, env, "/api/collections/signatures/records/"+sig.Id, grid, "image", "sign.png", signaturePNG(t)); up.status != 200 {
		t.Fatalf("upload signature: %d %s", up.status, up.body)
	}
	res := get(env, "/api/forms/signatures/"+a.Id, grid)
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	if name, _ := fileName(t, res.header.Get("Content-Disposition")); name != "居民联名签名表-草稿.pdf" {
		t.Errorf("file name %q", name)
	}
	text := pdfText(t, res.body)
	sigs, _ := env.App.FindRecordsByFilter(collections.Signatures, "application = {:a}", "", 0, 0, map[string]any{"a": a.Id})
	if len(sigs) != 7 {
		t.Fatalf("%d signatures in the demo", len(sigs))
	}
	archive := get(env, "/api/forms/signatures/"+a.Id+"?copy=archive", grid)
	if archive.status != 200 {
		t.Fatalf("archive copy: %d %s", archive.status, archive.body)
	}
	if name, _ := fileName(t, archive.header.Get("Content-Disposition")); name != "居民联名签名表-草稿（存档件）.pdf" {
		t.Errorf("archive file name %q", name)
	}
	full := pdfText(t, archive.body)
	for _, s := range sigs {
		phone := s.GetString(collections.SigPhone)
		for _, want := range []string{s.GetString(collections.SigName), s.GetString(collections.SigAddress), pdf.MaskPhone(phone)} {
			if !strings.Contains(text, want) {
				t.Errorf("%q not in the sheet", want)
			}
		}
		if strings.Contains(text, phone) {
			t.Errorf("the circulating sheet prints %s in full", phone)
		}
		if !strings.Contains(full, phone) {
			t.Errorf("the archive copy lacks %s", phone)
		}
	}
	if !strings.Contains(full, "存档件") || strings.Contains(text, "存档件：") {
		t.Error("only the archive copy says it is one")
	}
	// the verify page tells the archive copy from the circulating one, and neither has changed
	for _, c := range []struct {
		body    []byte
		archive bool
	}{{res.body, false}, {archive.body, true}} {
		codes := qrText(t, c.body)
		if len(codes) != 1 {
			t.Fatalf("QR codes: %v", codes)
		}
		v := get(env, codes[0][strings.Index(codes[0], "/api/forms/verify/"):], "")
		var got struct {
			Archive bool `json:"archive"`
			Changed bool `json:"changed"`
		}
		if err := json.Unmarshal(v.body, &got); err != nil || got.Archive != c.archive || got.Changed {
			t.Errorf("verify %s: %s (archive %v)", codes[0], v.body, c.archive)
		}
	}
	// the captured signature is drawn on the sheet
	path := filepath.Join(t.TempDir(), "sheet.pdf")
	os.WriteFile(path, res.body, 0o644)
	out, err := exec.Command(testtool.Require(t, "pdfimages"), "-list", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfimages: %v %s", err, out)
	}
	if images := len(regexp.MustCompile(`(?m)^\s*\d+\s+\d+\s+image\s`).FindAll(out, -1)); images != 1 {
		t.Errorf("%d images on the sheet, want 1:\n%s", images, out)
	}
	for _, want := range []string{"划船社区僵尸车清理", "划船社区", "东柳街道"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the sheet", want)
		}
	}
}

// TestBulletin: the month's bulletin prints the demo's figures for the
// working group.
func TestBulletin(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	now := time.Now().In(workdays.Shanghai)
	month := now.Format("2006-01")
	res := get(env, "/api/forms/bulletin?month="+month, sup)
	if res.status != 200 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	name, _ := fileName(t, res.header.Get("Content-Disposition"))
	serial := "督通〔" + now.Format("2006") + "〕第" + strings.TrimLeft(now.Format("01"), "0") + "期"
	if name != "督查通报-"+serial+".pdf" {
		t.Errorf("file name %q", name)
	}
	text := pdfText(t, res.body)
	for _, want := range []string{serial, "东柳街道", "白鹤街道", "区委区府办督查室"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q not in the bulletin:\n%s", want, text)
		}
	}
}

// TestNamesUnreadableRefuseTheForm: when the database fails while the
// names are read (here the orgs table is gone), no form is printed with
// blanks where the community and the street belong.
func TestNamesUnreadableRefuseTheForm(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	a := application(env, storySubject)
	render, err := forms.RenderDirectly(env.App, "application", a.Id)
	if err != nil || render == nil {
		t.Fatalf("the form renders while the names are readable: %v", err)
	}
	if _, err := env.App.DB().NewQuery("ALTER TABLE orgs RENAME TO orgs_gone").Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := forms.RenderDirectly(env.App, "application", a.Id); err == nil || !strings.Contains(err.Error(), "orgs") {
		t.Fatalf("rendered with the orgs unreadable (err %v)", err)
	}
}
