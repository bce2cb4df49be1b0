package pdf

import (
	"bytes"
	"io"
	"os/exec"
	"strings"
	"testing"

	"yuetan/internal/testtool"
	"yuetan/workflow"
)

// TestVocabularyFlowsToTheForms: the forms take their options from the
// workflow vocabulary, so a category added there is ticked and printed on
// the next application form and notice — not an unknown key that fails
// every print.
func TestVocabularyFlowsToTheForms(t *testing.T) {
	pdftotext := testtool.Require(t, "pdftotext")
	saved := workflow.CategoryTerms
	t.Cleanup(func() { workflow.CategoryTerms = saved })
	workflow.CategoryTerms = append(append(workflow.Terms{}, saved...), workflow.Term{Value: "safety_test", Label: "安全生产（测试类别）"})

	for name, render := range map[string]func(io.Writer) error{
		"application": func(w io.Writer) error {
			return RenderApplication(w, ApplicationData{Meta: meta("YT-1"), Subject: "测试", ApplicantKind: ApplicantCommunity, Category: "safety_test"})
		},
		"notice": func(w io.Writer) error {
			return RenderNotice(w, NoticeData{Meta: meta("YT-2"), Subject: "测试", Category: "safety_test"})
		},
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Errorf("%s with the new category: %v", name, err)
			continue
		}
		out, err := exec.Command(pdftotext, writeTemp(t, name+".pdf", b.Bytes()), "-").CombinedOutput()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(stripSpace(string(out)), "安全生产（测试类别）") {
			t.Errorf("%s: the new category is not on the form:\n%s", name, out)
		}
	}
}
