package forms_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/internal/testtool"
)

// The demo accounts the tests act as.
const (
	grid      = "grid@yuetan.example"
	grid2     = "grid2@yuetan.example"
	staff     = "staff@yuetan.example"
	staff2    = "staff2@yuetan.example"
	street    = "street@yuetan.example"
	street2   = "street2@yuetan.example"
	wg        = "wg@yuetan.example"
	secretary = "secretary@yuetan.example"
	mayor     = "mayor@yuetan.example"
	chief     = "chief@yuetan.example"
	handler   = "handler@yuetan.example"
	handler2  = "handler2@yuetan.example"
	sup       = "sup@yuetan.example"
	admin     = "admin@yuetan.example"

	storySubject = "划船社区低洼地排涝改造" // the seed's story, closed
)

// response is an HTTP response with its headers.
type response struct {
	status int
	header http.Header
	body   []byte
}

// get sends GET url as email ("" = guest) through the app's handler.
func get(env *testenv.Env, url, email string) response {
	env.T.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	if tok := env.Token(email); tok != "" {
		req.Header.Set("Authorization", tok)
	}
	rec := httptest.NewRecorder()
	env.Handler().ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

// fileName decodes the RFC 5987 file name of a Content-Disposition.
func fileName(t testing.TB, header string) (name, ascii string) {
	t.Helper()
	_, params, err := mime.ParseMediaType(header)
	if err != nil {
		t.Fatalf("Content-Disposition %q: %v", header, err)
	}
	// mime decodes filename* into filename when it is present
	return params["filename"], asciiFallback(header)
}

func asciiFallback(header string) string {
	i := strings.Index(header, `filename="`)
	if i < 0 {
		return ""
	}
	rest := header[i+len(`filename="`):]
	return rest[:strings.IndexByte(rest, '"')]
}

// qrText decodes the QR codes on the first page of a PDF (rendered by
// poppler, read by zbar), one string per code.
func qrText(t testing.TB, pdf []byte) []string {
	t.Helper()
	ppm, zbar := testtool.Require(t, "pdftoppm"), testtool.Require(t, "zbarimg")
	dir := t.TempDir()
	path := filepath.Join(dir, "form.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(ppm, "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile", path, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	out, err := exec.Command(zbar, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg found no QR code: %v", err)
	}
	return strings.Fields(string(out))
}

// pdfText is the text of a PDF with all white space removed.
func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	tool := testtool.Require(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "form.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return stripSpace(string(out))
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// isPDF reports whether b looks like a whole PDF.
func isPDF(b []byte) bool {
	return bytes.HasPrefix(b, []byte("%PDF-")) && bytes.Contains(b[max(0, len(b)-1024):], []byte("%%EOF"))
}

// application finds the demo application with subject.
func application(env *testenv.Env, subject string) *core.Record {
	env.T.Helper()
	a, err := env.App.FindFirstRecordByData(collections.Applications, collections.AppSubject, subject)
	if err != nil {
		env.T.Fatalf("application %s: %v", subject, err)
	}
	return a
}

// first finds the first record of coll belonging to the application.
func first(env *testenv.Env, coll, appID string) *core.Record {
	env.T.Helper()
	rs, err := env.App.FindRecordsByFilter(coll, "application = {:a}", "created", 1, 0, map[string]any{"a": appID})
	if err != nil || len(rs) == 0 {
		env.T.Fatalf("%s of %s: %v", coll, appID, err)
	}
	return rs[0]
}

// testTime is a fixed print time.
var testTime = time.Date(2026, 11, 23, 10, 20, 0, 0, time.FixedZone("CST", 8*3600))

// readFile reads a stored file of rec from app's storage.
func readFile(t testing.TB, app core.App, rec *core.Record, name string) []byte {
	t.Helper()
	fsys, err := app.NewFilesystem()
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	r, err := fsys.GetReader(rec.BaseFilesPath() + "/" + name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// signaturePNG is a small signature: a dark stroke on a clear background.
func signaturePNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 240, 90))
	for x := 20; x < 220; x++ {
		y := 45 + (x%40-20)/2
		for dy := 0; dy < 4; dy++ {
			img.Set(x, y+dy, color.NRGBA{10, 10, 40, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
