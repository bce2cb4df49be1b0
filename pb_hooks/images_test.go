package hooks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"yuetan/collections"
	"yuetan/internal/imagebomb"
	"yuetan/internal/testenv"
)

// bombs are images whose headers claim more pixels than a photo's budget
// (40 MP), each a few bytes to a few KB.
var bombs = []struct {
	name string
	data []byte
}{
	{"bomb.png", imagebomb.PNGHeader(12000, 12000)},
	{"bomb-real.png", imagebomb.PNG(7000, 7000)}, // decodable: 49 MB of grey
	{"bomb.jpg", imagebomb.JPEG(65000, 65000)},
	{"bomb.webp", imagebomb.WebP(15000, 15000)},
	{"bomb.heic", imagebomb.HEIC(12000, 12000)},
}

// filePart is one file of a multipart body.
type filePart struct{ field, name string }

// send posts a multipart body: the JSON payload (when jsonField is not
// "") or plain fields, and one file per part.
func send(t *testing.T, env *testenv.Env, method, url, email string, headers map[string]string, fields map[string]string, files map[filePart][]byte) testenv.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	for p, data := range files {
		part, err := w.CreateFormFile(p.field, p.name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = part.Write(data)
	}
	_ = w.Close()
	req := httptest.NewRequest(method, url, &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	if tok := env.Token(email); tok != "" {
		req.Header.Set("Authorization", tok)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	env.Handler().ServeHTTP(rec, req)
	return testenv.Response{Status: rec.Code, Body: rec.Body.Bytes()}
}

// fieldMessage is the message of field in a PocketBase error body.
func fieldMessage(t *testing.T, body []byte, field string) string {
	t.Helper()
	var e struct {
		Message string                       `json:"message"`
		Data    map[string]map[string]string `json:"data"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Data[field]["message"]
}

func issueCount(t *testing.T, env *testenv.Env) int {
	t.Helper()
	n, err := env.App.CountRecords(collections.Issues)
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestImageBombsRefusedOnEveryPath: each bomb is refused with a 400 that
// names the field in Chinese, over REST (create and update), /api/batch,
// the sync push's multipart parts and as a superuser (the dashboard's
// path); nothing is stored. Ordinary images pass on the same paths.
func TestImageBombsRefusedOnEveryPath(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	hc := env.Org("DL-HC").Id
	issue := func(title string) map[string]any {
		return map[string]any{"community": hc, "kind": "problem", "title": title, "source": "door_to_door"}
	}
	asJSON := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	plain := func(v map[string]any) map[string]string {
		out := map[string]string{}
		for k, x := range v {
			out[k] = fmt.Sprint(x)
		}
		return out
	}
	existing, err := env.App.FindFirstRecordByData(collections.Issues, collections.IssueCommunity, hc)
	if err != nil {
		t.Fatal(err)
	}

	paths := []struct {
		name string
		try  func(t *testing.T, name string, data []byte) (status int, msg string)
	}{
		{"REST create", func(t *testing.T, name string, data []byte) (int, string) {
			res := send(t, env, "POST", "/api/collections/issues/records", grid, nil, plain(issue("炸弹照片")),
				map[filePart][]byte{{"photos", name}: data})
			return res.Status, fieldMessage(t, res.Body, "photos")
		}},
		{"REST update", func(t *testing.T, name string, data []byte) (int, string) {
			res := send(t, env, "PATCH", "/api/collections/issues/records/"+existing.Id, grid, nil, nil,
				map[filePart][]byte{{"photos+", name}: data})
			return res.Status, fieldMessage(t, res.Body, "photos")
		}},
		{"superuser create (dashboard)", func(t *testing.T, name string, data []byte) (int, string) {
			res := send(t, env, "POST", "/api/collections/issues/records", "admin@yuetan.example", nil, plain(issue("炸弹照片")),
				map[filePart][]byte{{"photos", name}: data})
			return res.Status, fieldMessage(t, res.Body, "photos")
		}},
		{"batch", func(t *testing.T, name string, data []byte) (int, string) {
			payload := asJSON(map[string]any{"requests": []any{map[string]any{
				"method": "POST", "url": "/api/collections/issues/records", "body": issue("批量炸弹"),
			}}})
			res := send(t, env, "POST", "/api/batch", grid, nil, map[string]string{"@jsonPayload": payload},
				map[filePart][]byte{{"requests.0.photos", name}: data})
			var e struct {
				Data struct {
					Requests map[string]struct {
						Response struct {
							Data map[string]map[string]string `json:"data"`
						} `json:"response"`
					} `json:"requests"`
				} `json:"data"`
			}
			_ = json.Unmarshal(res.Body, &e)
			return res.Status, e.Data.Requests["0"].Response.Data["photos"]["message"]
		}},
		{"sync push (multipart)", func(t *testing.T, name string, data []byte) (int, string) {
			m := map[string]any{"id": "m" + core.GenerateDefaultRandomId(), "collection": "issues", "op": "create",
				"record": core.GenerateDefaultRandomId(), "data": issue("同步炸弹")}
			res := send(t, env, "POST", "/api/sync/push", grid, map[string]string{"X-Sync-Schema": "1"},
				map[string]string{"@jsonPayload": asJSON(map[string]any{"client": "tab-bomb", "mutations": []any{m}})},
				map[filePart][]byte{{m["id"].(string) + ".photos", name}: data})
			var out struct {
				Results []struct {
					Status string `json:"status"`
					Error  struct {
						Status int                          `json:"status"`
						Data   map[string]map[string]string `json:"data"`
					} `json:"error"`
				} `json:"results"`
			}
			if res.Status != http.StatusOK || json.Unmarshal(res.Body, &out) != nil || len(out.Results) != 1 {
				t.Fatalf("push: %d %s", res.Status, res.Body)
			}
			r := out.Results[0]
			if r.Status == "applied" {
				return http.StatusOK, ""
			}
			if r.Status != "rejected" {
				t.Fatalf("push result %+v", r)
			}
			return r.Error.Status, r.Error.Data["photos"]["message"]
		}},
	}
	for _, p := range paths {
		t.Run(p.name, func(t *testing.T) {
			current, _ := env.App.FindRecordById(collections.Issues, existing.Id)
			existingPhotos := current.GetStringSlice(collections.IssuePhotos)
			for _, b := range bombs {
				before := issueCount(t, env)
				status, msg := p.try(t, b.name, b.data)
				// (the batch passes files on under their stored names)
				stem := strings.TrimSuffix(b.name, b.name[strings.LastIndex(b.name, "."):])
				if status != http.StatusBadRequest || !strings.HasPrefix(msg, "照片“"+strings.ReplaceAll(stem, "-", "_")) && !strings.HasPrefix(msg, "照片“"+b.name) ||
					!strings.Contains(msg, "”像素过多") {
					t.Errorf("%s: status %d, photos message %q; want 400 naming the photo", b.name, status, msg)
				}
				if n := issueCount(t, env); n != before {
					t.Errorf("%s: %d issues stored", b.name, n-before)
				}
			}
			if got, _ := env.App.FindRecordById(collections.Issues, existing.Id); strings.Join(got.GetStringSlice(collections.IssuePhotos), ",") != strings.Join(existingPhotos, ",") {
				t.Errorf("the updated issue's photos changed: %v", got.GetStringSlice(collections.IssuePhotos))
			}
			// an ordinary photo passes the same way
			if status, msg := p.try(t, "door.jpg", imagebomb.Photo(640, 480)); status != http.StatusOK {
				t.Errorf("an ordinary photo: %d %q", status, msg)
			}
		})
	}
}

// TestImageBudgetsPerField: a co-signature image has its own, smaller
// budget, and the signed scan of a paper form takes images within its
// budget and PDFs.
func TestImageBudgetsPerField(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	f := env.Fixture()
	sig := func(name string, data []byte) testenv.Response {
		return send(t, env, "POST", "/api/collections/signatures/records", grid, nil,
			map[string]string{"application": f.Drafts.Own.Id, "name": "张三", "address": "划船社区 3 幢"},
			map[filePart][]byte{{"image", name}: data})
	}
	res := sig("sign.png", imagebomb.PNGHeader(15000, 15000))
	if msg := fieldMessage(t, res.Body, "image"); res.Status != http.StatusBadRequest || !strings.Contains(msg, "签名图片“sign.png”像素过多") {
		t.Errorf("15000² signature: %d %q", res.Status, msg)
	}
	// 3000×3000 is a fine photo but over a signature's 8 MP
	if res := sig("sign.png", imagebomb.PNGHeader(3000, 3000)); res.Status != http.StatusBadRequest {
		t.Errorf("9 MP signature: %d %s", res.Status, res.Body)
	}
	if res := sig("sign.png", imagebomb.Signature(900, 300)); res.Status != http.StatusOK {
		t.Errorf("an ordinary signature: %d %s", res.Status, res.Body)
	}
	scan := func(name string, data []byte) testenv.Response {
		return send(t, env, "PATCH", "/api/collections/applications/records/"+f.Applications.Own.Id, "staff@yuetan.example", nil, nil,
			map[filePart][]byte{{"signed_scan", name}: data})
	}
	res = scan("scan.webp", imagebomb.WebP(16000, 16000))
	if msg := fieldMessage(t, res.Body, "signed_scan"); res.Status != http.StatusBadRequest || !strings.Contains(msg, "盖章扫描件“scan.webp”像素过多") {
		t.Errorf("a bomb as the signed scan: %d %q", res.Status, msg)
	}
	if res := scan("scan.jpg", imagebomb.Photo(1240, 1754)); res.Status != http.StatusOK {
		t.Errorf("a scan as JPEG: %d %s", res.Status, res.Body)
	}
	if res := scan("scan.pdf", []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")); res.Status != http.StatusOK {
		t.Errorf("a scan as PDF: %d %s", res.Status, res.Body)
	}
}

// TestNoThumbnailOfAStoredBomb: an issue photo over budget stored before
// the check (written here without validation) gets no thumbnail: the
// request is answered 422 without decoding it (a thumbnail of it would
// allocate at least its 49 MB of grey), and no thumbnail file appears.
// Whoever may not see the file gets PocketBase's 404, nothing more. An
// ordinary photo still gets its thumbnail.
func TestNoThumbnailOfAStoredBomb(t *testing.T) {
	// not parallel: runtime.MemStats counts what every running test
	// allocates, and the bound is on this request alone
	env := testenv.New(t)
	coll, _ := env.App.FindCachedCollectionByNameOrId(collections.Issues)
	store := func(name string, data []byte) *core.Record {
		f, err := filesystem.NewFileFromBytes(data, name)
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(coll)
		r.Load(map[string]any{"community": env.Org("DL-HC").Id, "kind": "problem", "title": "存量照片", "source": "door_to_door"})
		r.Set(collections.IssuePhotos, []any{f})
		if err := env.App.SaveNoValidate(r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	const w, h = 7000, 7000
	bomb := store("old.png", imagebomb.PNG(w, h))
	photo := store("door.jpg", imagebomb.Photo(640, 480))
	fileToken, err := env.User(grid).NewFileToken()
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := env.App.NewFilesystem()
	if err != nil {
		t.Fatal(err)
	}
	defer fsys.Close()
	thumb := func(r *core.Record, size, token string) (testenv.Response, bool, uint64) {
		name := r.GetStringSlice(collections.IssuePhotos)[0]
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res := env.Do("GET", "/api/files/issues/"+r.Id+"/"+name+"?thumb="+size+"&token="+token, "", nil)
		runtime.ReadMemStats(&after)
		made, _ := fsys.Exists(r.BaseFilesPath() + "/thumbs_" + name + "/" + size + "_" + name)
		return res, made, after.TotalAlloc - before.TotalAlloc
	}
	for _, size := range []string{"320x240", "100x100"} {
		res, made, alloc := thumb(bomb, size, fileToken)
		var e struct{ Message string }
		_ = json.Unmarshal(res.Body, &e)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(e.Message, "像素过多（7000×7000）") {
			t.Errorf("thumb %s of the stored bomb: %d %.200s", size, res.Status, res.Body)
		}
		if made {
			t.Errorf("thumb %s of the stored bomb was made", size)
		}
		t.Logf("thumb %s of the stored %d×%d bomb: %d KB allocated", size, w, h, alloc>>10)
		if alloc > w*h/4 {
			t.Errorf("thumb %s request allocated %d MB: the bomb was decoded", size, alloc>>20)
		}
	}
	// a guest without a file token learns nothing about the file
	if res, _, _ := thumb(bomb, "320x240", ""); res.Status != http.StatusNotFound {
		t.Errorf("guest: %d %s", res.Status, res.Body)
	}
	// the original itself is served as stored (nothing decodes it here)
	if res := env.Do("GET", "/api/files/issues/"+bomb.Id+"/"+bomb.GetStringSlice(collections.IssuePhotos)[0]+"?token="+fileToken, "", nil); res.Status != http.StatusOK {
		t.Errorf("the original: %d", res.Status)
	}
	res, made, _ := thumb(photo, "320x240", fileToken)
	if res.Status != http.StatusOK || !made {
		t.Fatalf("an ordinary photo's thumb: %d, made %v", res.Status, made)
	}
	// served from the made thumbnail the next time
	if res, _, _ := thumb(photo, "320x240", fileToken); res.Status != http.StatusOK || !bytes.HasPrefix(res.Body, []byte("\xff\xd8")) {
		t.Errorf("the thumb again: %d", res.Status)
	}
}
