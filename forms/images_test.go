package forms_test

import (
	"encoding/json"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"yuetan/collections"
	"yuetan/internal/imagebomb"
	"yuetan/internal/testenv"
)

// TestSignatureSheetNeverDecodesABomb: a co-signature image over the
// signatures' budget, stored before uploads were checked (written here
// without validation), makes the sheet answer 422 naming the signer, read
// from the image's header: the 12-megapixel image is not decoded (that
// takes 60 MB here). Without it the sheet prints.
func TestSignatureSheetNeverDecodesABomb(t *testing.T) {
	// not parallel: runtime.MemStats counts what every running test
	// allocates, and the bound is on this request alone
	env := testenv.New(t)
	draft := env.Fixture().Drafts.Own
	coll, _ := env.App.FindCachedCollectionByNameOrId(collections.Signatures)
	sign := func(name string, img []byte) *core.Record {
		f, err := filesystem.NewFileFromBytes(img, "sign.png")
		if err != nil {
			t.Fatal(err)
		}
		r := core.NewRecord(coll)
		r.Load(map[string]any{"application": draft.Id, "name": name, "address": "划船社区 3 幢"})
		r.Set(collections.SigImage, f)
		if err := env.App.SaveNoValidate(r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	sign("张三", signaturePNG(t))
	bomb := sign("李四", imagebomb.PNG(4000, 3000))
	url := "/api/forms/signatures/" + draft.Id
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := get(env, url, staff)
	runtime.ReadMemStats(&after)
	var e struct{ Message string }
	_ = json.Unmarshal(res.body, &e)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(e.Message, "位联名居民（李四）的签名图片像素过多（4000×3000）") {
		t.Fatalf("sheet with a stored bomb: %d %s", res.status, res.body)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("the refused sheet allocated %d KB", alloc>>10)
	if alloc > 4000*3000 {
		t.Errorf("the refused sheet allocated %d MB: the image was decoded", alloc>>20)
	}
	if err := env.App.Delete(bomb); err != nil {
		t.Fatal(err)
	}
	if res := get(env, url, staff); res.status != http.StatusOK || !isPDF(res.body) {
		t.Fatalf("sheet without it: %d %.200s", res.status, res.body)
	}
}
