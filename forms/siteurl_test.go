package forms_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/siteurl"
	"yuetan/workflow"
)

// printAt asks for a form as email through a request that came in on
// host (behind a TLS proxy when https), as a browser would.
func printAt(t *testing.T, env *testenv.Env, url, email, host string, https bool) []byte {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Host = host
	if https {
		req.Header.Set("X-Forwarded-Proto", "https")
	}
	req.Header.Set("Authorization", env.Token(email))
	rec := httptest.NewRecorder()
	env.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// wantVerifyURL checks that the form's printed verify URL and its QR code
// are want + the print's code, and that no localhost address is on it.
func wantVerifyURL(t *testing.T, pdf []byte, base, code string) {
	t.Helper()
	want := base + "/api/forms/verify/" + code
	text := pdfText(t, pdf)
	if !strings.Contains(text, want) {
		t.Errorf("printed verify URL is not %s:\n%s", want, text)
	}
	if strings.Contains(text, "localhost") {
		t.Errorf("the form names localhost:\n%s", text)
	}
	if qr := qrText(t, pdf); len(qr) != 1 || qr[0] != want {
		t.Errorf("QR code says %q, want %q", qr, want)
	}
}

// TestVerifyURLFollowsTheServer: with no public URL configured (PocketBase's
// default application URL is http://localhost:8090, which names no server),
// a form printed through the web app carries the address the request came
// in on, in its text and its QR code; an archive copy made by a move carries
// the mover's address; once the operator sets a public URL every form
// carries that one.
func TestVerifyURLFollowsTheServer(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	if got := env.App.Settings().Meta.AppURL; got != siteurl.PocketBaseDefault {
		t.Fatalf("fresh settings have application URL %q, the test assumes PocketBase's default", got)
	}
	a := application(env, storySubject)

	pdf := printAt(t, env, "/api/forms/application/"+a.Id, staff, "yuetan.jiangdong.gov.cn", true)
	wantVerifyURL(t, pdf, "https://yuetan.jiangdong.gov.cn", lastPrint(env, "application", a.Id).GetString("code"))

	pdf = printAt(t, env, "/api/forms/application/"+a.Id, staff, "10.20.0.5:8090", false)
	wantVerifyURL(t, pdf, "http://10.20.0.5:8090", lastPrint(env, "application", a.Id).GetString("code"))

	// an archive copy made while submitting, over the intranet address
	draft := application(env, "利用闲置用房建设社区食堂")
	if draft.GetString(collections.AppStatus) != workflow.StatusDraft {
		t.Fatalf("demo draft is %s", draft.GetString(collections.AppStatus))
	}
	req := httptest.NewRequest(http.MethodPatch, "/api/collections/applications/records/"+draft.Id, strings.NewReader(`{"status":"submitted"}`))
	req.Host = "10.20.0.5:8090"
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", env.Token(staff2))
	rec := httptest.NewRecorder()
	env.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body)
	}
	drain(t, env)
	stored, err := env.App.FindRecordById(collections.Applications, draft.Id)
	if err != nil {
		t.Fatal(err)
	}
	row, err := env.App.FindFirstRecordByFilter("form_prints", "form = 'application' && record_id = {:id} && archive = true", map[string]any{"id": draft.Id})
	if err != nil {
		t.Fatalf("no archive copy: %v", err)
	}
	wantVerifyURL(t, readFile(t, env.App, stored, stored.GetString(collections.AppArchivePDF)), "http://10.20.0.5:8090", row.GetString("code"))

	// the operator sets the public URL: every form carries it, whatever the request's host
	if err := siteurl.Set(env.App, "https://yuetan.example.gov.cn/"); err != nil {
		t.Fatal(err)
	}
	pdf = printAt(t, env, "/api/forms/application/"+a.Id, staff, "10.20.0.5:8090", false)
	wantVerifyURL(t, pdf, "https://yuetan.example.gov.cn", lastPrint(env, "application", a.Id).GetString("code"))

	for _, bad := range []string{"yuetan.example.gov.cn", "ftp://x.cn", "https://", "https://x.cn/?a=1"} {
		if err := siteurl.Set(env.App, bad); err == nil {
			t.Errorf("public URL %q accepted", bad)
		}
	}
	if got := siteurl.Configured(env.App); got != "https://yuetan.example.gov.cn" {
		t.Errorf("a refused public URL changed the setting to %q", got)
	}
}
