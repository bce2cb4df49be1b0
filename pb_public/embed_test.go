package pbpublic_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"yuetan/internal/testenv"
	pbpublic "yuetan/pb_public"
)

func get(t *testing.T, h http.Handler, url string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestServe checks the embedded app is served by the production wiring: the
// page with a preload link per module, the service worker with its version
// and a precache list of files that exist, revalidation by ETag, the page
// for app paths, and 404s for missing files and under /api/.
func TestServe(t *testing.T) {
	h := testenv.New(t).Handler()

	page := get(t, h, "/", nil)
	if page.Code != 200 || !strings.Contains(page.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", page.Code, page.Header().Get("Content-Type"))
	}
	body := page.Body.String()
	for _, want := range []string{`<html lang="zh-CN">`, `<link rel="manifest" href="manifest.json">`, `<link rel="modulepreload" href="js/main.js">`, `<link rel="modulepreload" href="js/pages/application/moves.js">`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if tag := page.Header().Get("ETag"); tag == "" || page.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("page headers: %v", page.Header())
	} else if again := get(t, h, "/", map[string]string{"If-None-Match": tag}); again.Code != http.StatusNotModified {
		t.Errorf("revalidation: %d", again.Code)
	}

	sw := get(t, h, "/sw.js", nil)
	if sw.Code != 200 || !strings.Contains(sw.Header().Get("Content-Type"), "javascript") {
		t.Fatalf("GET /sw.js: %d %s", sw.Code, sw.Header().Get("Content-Type"))
	}
	src := sw.Body.String()
	if !strings.Contains(src, `const VERSION = "`+pbpublic.Version()+`"`) || strings.Contains(src, "__ASSETS__") {
		t.Fatalf("sw.js not filled in:\n%s", src[:400])
	}
	m := regexp.MustCompile(`const ASSETS = (\[.*\]);`).FindStringSubmatch(src)
	var assets []string
	if m == nil || json.Unmarshal([]byte(m[1]), &assets) != nil || len(assets) < 20 {
		t.Fatalf("precache list: %v", m)
	}
	for _, a := range assets {
		if a == "./" {
			continue
		}
		if r := get(t, h, "/"+strings.TrimPrefix(a, "./"), nil); r.Code != 200 {
			t.Errorf("precached %s: %d", a, r.Code)
		}
	}
	if r := get(t, h, "/js/main.js", nil); !strings.Contains(r.Header().Get("Content-Type"), "javascript") {
		t.Errorf("module type: %s", r.Header().Get("Content-Type"))
	}
	if r := get(t, h, "/manifest.json", nil); !strings.Contains(r.Body.String(), `"start_url"`) {
		t.Errorf("manifest: %s", r.Body.String())
	}

	for url, want := range map[string]int{
		"/some/app/path":    200, // the page (hash routes)
		"/js/missing.js":    404,
		"/api/nothing-here": 404,
		"/api/workflow":     200,
		"/embed.go":         404, // the Go source is not embedded
	} {
		if r := get(t, h, url, nil); r.Code != want {
			t.Errorf("GET %s: %d, want %d", url, r.Code, want)
		}
	}
}
