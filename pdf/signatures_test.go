package pdf

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"yuetan/internal/testtool"
)

func TestMaskPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13800000001":     "138****0001",
		"138 0000 0001":   "138 ****0001",
		"+86 13800000001": "+86 138****0001",
		"0574-87654321":   "0574-****4321",
		"87654321":        "****4321",
		"8765432":         "****32",
		"":                "",
	} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSignatureSheetMasksPhones: the sheet that circulates among neighbours
// prints no co-signer's full mobile number, only the masked one; the
// archive copy prints every number in full, marked as the archive copy;
// both date the signatures as the other forms do (2026年11月10日).
func TestSignatureSheetMasksPhones(t *testing.T) {
	pdftotext := testtool.Require(t, "pdftotext")
	text := func(d SignaturesData) string {
		var b bytes.Buffer
		if err := RenderSignatures(&b, d); err != nil {
			t.Fatal(err)
		}
		path := writeTemp(t, "sheet.pdf", b.Bytes())
		out, err := exec.Command(pdftotext, path, "-").CombinedOutput()
		if err != nil {
			t.Fatalf("pdftotext: %v %s", err, out)
		}
		return stripSpace(string(out))
	}
	d := SignaturesData{Meta: Meta{Serial: "YT-1", GeneratedAt: day(2026, 11, 23)}, Subject: "楼道照明改造", Community: "划船社区", Street: "东柳街道"}
	for i, p := range []string{"13800000001", "13912345678", "13766668888"} {
		d.Signers = append(d.Signers, Signer{Name: fixSigners[i], Address: "5幢", Phone: p, SignedAt: day(2026, 11, 10+i)})
	}
	circulating := text(d)
	for _, s := range d.Signers {
		if strings.Contains(circulating, s.Phone) {
			t.Errorf("the circulating sheet prints %s in full", s.Phone)
		}
		if !strings.Contains(circulating, MaskPhone(s.Phone)) {
			t.Errorf("the circulating sheet lacks %s", MaskPhone(s.Phone))
		}
	}
	d.Archive = true
	archive := text(d)
	for _, s := range d.Signers {
		if !strings.Contains(archive, s.Phone) {
			t.Errorf("the archive copy lacks %s", s.Phone)
		}
	}
	for name, got := range map[string]string{"circulating": circulating, "archive": archive} {
		if !strings.Contains(got, "2026年11月10日") || strings.Contains(got, "2026.11.10") {
			t.Errorf("%s sheet: signature dates not as the other forms'", name)
		}
	}
	if !strings.Contains(archive, "存档件") || strings.Contains(circulating, "存档件：") {
		t.Error("only the archive copy says it is one")
	}
}
