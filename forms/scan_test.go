package forms_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/pdf"
)

// onePagePDF is a small real PDF to upload.
func onePagePDF(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	d := pdf.NoticeData{Subject: "扫描件"}
	d.GeneratedAt = testTime
	if err := pdf.RenderNotice(&buf, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartPatch uploads one file as email.
func multipartPatch(t testing.TB, env *testenv.Env, url, email, field, name string, content []byte) response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	part.Write(content)
	w.Close()
	req := httptest.NewRequest(http.MethodPatch, url, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if tok := env.Token(email); tok != "" {
		req.Header.Set("Authorization", tok)
	}
	rec := httptest.NewRecorder()
	env.Handler().ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// TestSignedScan: the community's staff attach the scanned, signed and
// stamped paper copy (at any stage); nobody else may, and nobody may
// upload an archive copy, which is the server's.
func TestSignedScan(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	a := application(env, storySubject) // 划船社区, 东柳街道, 周明远, closed
	url := "/api/collections/applications/records/" + a.Id
	scan := onePagePDF(t)
	for _, who := range []string{grid, staff2, street, street2, wg, secretary, mayor, handler, sup} {
		res := multipartPatch(t, env, url, who, "signed_scan", "scan.pdf", scan)
		if res.status == http.StatusOK {
			t.Errorf("%s attached a signed scan", nameOf(who))
		}
	}
	if res := multipartPatch(t, env, url, "", "signed_scan", "scan.pdf", scan); res.status == http.StatusOK {
		t.Error("a guest attached a signed scan")
	}
	if fresh, _ := env.App.FindRecordById(collections.Applications, a.Id); fresh.GetString(collections.AppSignedScan) != "" {
		t.Fatalf("signed_scan set by someone else: %q", fresh.GetString(collections.AppSignedScan))
	}
	res := multipartPatch(t, env, url, staff, "signed_scan", "盖章扫描件.pdf", scan)
	if res.status != http.StatusOK {
		t.Fatalf("staff: %d %s", res.status, res.body)
	}
	fresh, _ := env.App.FindRecordById(collections.Applications, a.Id)
	name := fresh.GetString(collections.AppSignedScan)
	if name == "" || !bytes.Equal(readFile(t, env.App, fresh, name), scan) {
		t.Fatalf("signed scan %q not stored", name)
	}
	// an image scan is fine too; archive copies are not the staff's to upload
	png := signaturePNG(t)
	if res := multipartPatch(t, env, url, staff, "signed_scan", "scan.png", png); res.status != http.StatusOK {
		t.Errorf("image scan: %d %s", res.status, res.body)
	}
	for _, f := range []string{collections.AppArchivePDF, collections.AppNoticePDF} {
		if res := multipartPatch(t, env, url, staff, f, "fake.pdf", scan); res.status != http.StatusBadRequest {
			t.Errorf("staff uploading %s: %d %s", f, res.status, res.body)
		}
	}
	if after, _ := env.App.FindRecordById(collections.Applications, a.Id); after.GetString(collections.AppArchivePDF) != fresh.GetString(collections.AppArchivePDF) ||
		after.GetString(collections.AppNoticePDF) != fresh.GetString(collections.AppNoticePDF) {
		t.Error("an archive copy was replaced by an upload")
	}
}
