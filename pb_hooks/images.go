package hooks

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/collections"
	"yuetan/imagesize"
)

// bindImageBudgets keeps images within their fields' pixel budgets
// (collections.ImageBudgets): an upload over its budget is refused on
// every path that saves (REST, /api/batch, the sync push, the dashboard),
// from its header alone; and no thumbnail is made of a stored image over
// it (PocketBase decodes the whole original to make one).
func bindImageBudgets(app core.App) error {
	app.OnRecordValidate().BindFunc(func(e *core.RecordEvent) error {
		budgets := collections.ImageBudgets[e.Record.Collection().Name]
		if len(budgets) == 0 {
			return e.Next()
		}
		// PocketBase's own checks first (type, size, count): a file it
		// refuses is not read here
		err := e.Next()
		var refused validation.Errors
		if err != nil && !errors.As(err, &refused) {
			return err
		}
		bad := validation.Errors{}
		for name, budget := range budgets {
			if refused[name] != nil {
				continue
			}
			field, _ := e.Record.Collection().Fields.GetByName(name).(*core.FileField)
			for _, f := range e.Record.GetUnsavedFiles(name) {
				if msg := overBudget(f, budget, onlyImages(field)); msg != "" {
					bad[name] = validation.NewError("validation_image_too_large", msg)
					break
				}
			}
		}
		switch {
		case len(bad) == 0:
			return err
		case refused == nil:
			return bad
		}
		for k, v := range bad {
			refused[k] = v
		}
		return refused
	})
	bindThumbGuard(app)
	return nil
}

// onlyImages reports whether field takes images only (an unknown format
// there is refused; in a field that also takes PDFs it is the PDF).
func onlyImages(field *core.FileField) bool {
	if field == nil || len(field.MimeTypes) == 0 {
		return false
	}
	return !slices.ContainsFunc(field.MimeTypes, func(m string) bool { return !strings.HasPrefix(m, "image/") })
}

// overBudget reads f's size from its header and says, for people, why it
// is refused; "" when it is within budget (or not an image).
func overBudget(f *filesystem.File, budget collections.ImageBudget, onlyImages bool) string {
	r, err := f.Reader.Open()
	if err != nil {
		return fmt.Sprintf("无法读取%s“%s”。", budget.Label, f.OriginalName)
	}
	defer r.Close()
	size, err := imagesize.Read(r)
	switch {
	case errors.Is(err, imagesize.ErrUnknown) && !onlyImages:
		return ""
	case err != nil:
		return fmt.Sprintf("无法读取%s“%s”的尺寸，请换一张 JPG、PNG 或 WebP 图片。", budget.Label, f.OriginalName)
	case size.Pixels() > budget.MaxPixels:
		return fmt.Sprintf("%s“%s”像素过多（%s，约 %d 万像素），最多 %d 万像素，请缩小后再上传。",
			budget.Label, f.OriginalName, size, (size.Pixels()+5000)/10000, budget.MaxPixels/10000)
	}
	return ""
}

// thumbRefusedKey marks a file request whose thumbnail is refused; the
// answer waits for PocketBase's access check (OnFileDownloadRequest), so
// it tells nothing to whoever may not see the file.
const thumbRefusedKey = "yuetan.thumbRefused"

// defaultThumbSizes PocketBase makes for any file field (apis/file.go).
var defaultThumbSizes = []string{"100x100"}

// imageContentTypes PocketBase makes thumbnails of (apis/file.go).
var imageContentTypes = []string{"image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp"}

// bindThumbGuard reads the original's header before PocketBase would
// decode it for a thumbnail not made yet; over its budget (or unreadable)
// the request asks for the original instead and is then answered 422.
func bindThumbGuard(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.BindFunc(func(e *core.RequestEvent) error {
			thumb := e.Request.URL.Query().Get("thumb")
			if thumb == "" || !strings.HasPrefix(e.Request.URL.Path, "/api/files/") {
				return e.Next()
			}
			if msg := refuseThumb(e, thumb); msg != "" {
				e.Set(thumbRefusedKey, msg)
				q := e.Request.URL.Query()
				q.Del("thumb")
				e.Request.URL.RawQuery = q.Encode()
			}
			return e.Next()
		})
		return se.Next()
	})
	app.OnFileDownloadRequest().BindFunc(func(e *core.FileDownloadRequestEvent) error {
		if msg, ok := e.Get(thumbRefusedKey).(string); ok {
			return router.NewApiError(http.StatusUnprocessableEntity, msg, nil)
		}
		return e.Next()
	})
}

// refuseThumb says why the thumbnail thumb of the requested file must not
// be made; "" lets PocketBase go on (it answers missing records itself).
func refuseThumb(e *core.RequestEvent, thumb string) string {
	coll, err := e.App.FindCachedCollectionByNameOrId(e.Request.PathValue("collection"))
	if err != nil {
		return ""
	}
	rec, err := e.App.FindRecordById(coll, e.Request.PathValue("recordId"))
	if err != nil {
		return ""
	}
	name := e.Request.PathValue("filename")
	field := rec.FindFileFieldByFile(name)
	if field == nil || !slices.Contains(defaultThumbSizes, thumb) && !slices.Contains(field.Thumbs, thumb) {
		return "" // PocketBase makes no thumbnail
	}
	base := rec.BaseFilesPath()
	if coll.IsView() {
		src, err := e.App.FindRecordByViewFile(coll.Id, field.Name, name)
		if err != nil {
			return ""
		}
		base = src.BaseFilesPath()
	}
	fsys, err := e.App.NewFilesystem()
	if err != nil {
		return ""
	}
	defer fsys.Close()
	if ok, _ := fsys.Exists(base + "/thumbs_" + name + "/" + thumb + "_" + name); ok {
		return "" // made already: serving it decodes nothing
	}
	r, err := fsys.GetReader(base + "/" + name)
	if err != nil {
		return ""
	}
	defer r.Close()
	if !slices.Contains(imageContentTypes, r.ContentType()) {
		return ""
	}
	budget, ok := collections.ImageBudgetOf(coll.Name, field.Name)
	if !ok {
		return "这个字段不应有图片，不生成缩略图。"
	}
	size, err := imagesize.Read(r)
	switch {
	case err != nil:
		return "无法读取这张图片的尺寸，不生成缩略图。"
	case size.Pixels() > budget.MaxPixels:
		return fmt.Sprintf("这张%s像素过多（%s），超过 %d 万像素，不生成缩略图。", budget.Label, size, budget.MaxPixels/10000)
	}
	return ""
}
