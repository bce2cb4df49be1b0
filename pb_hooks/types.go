package hooks

import (
	"encoding/json"
	"io"
	"maps"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/collections"
)

// bindTypes refuses a REST or batch write whose values have the wrong
// type for their fields, naming the field, before anything is saved
// (PocketBase would coerce them and apply the write). The sync push makes
// the same check per mutation.
func bindTypes(app core.App) error {
	check := func(e *core.RecordRequestEvent) error {
		typed, form, err := submitted(e.RequestEvent)
		if err != nil {
			return apis.NewBadRequestError("请求体无法解析。", err)
		}
		errs := validation.Errors{}
		maps.Copy(errs, collections.TypeErrors(e.Collection, form, true))
		maps.Copy(errs, collections.TypeErrors(e.Collection, typed, false))
		if len(errs) > 0 {
			return apis.NewBadRequestError("提交的数据类型不正确，未保存。", errs)
		}
		return e.Next()
	}
	app.OnRecordCreateRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "yuetan.types", Func: check, Priority: -900})
	app.OnRecordUpdateRequest().Bind(&hook.Handler[*core.RecordRequestEvent]{Id: "yuetan.types", Func: check, Priority: -900})
	return nil
}

// submitted reads what the client sent, as it sent it: JSON values (a JSON
// body, or a multipart body's @jsonPayload parts) and plain form values.
// (By the time the request hooks run, PocketBase has replaced the request
// info's body with values already coerced to the fields' types.)
func submitted(e *core.RequestEvent) (typed, form map[string]any, err error) {
	if !strings.HasPrefix(e.Request.Header.Get("Content-Type"), "multipart/form-data") {
		raw, err := io.ReadAll(e.Request.Body) // PocketBase's body rereads
		if err != nil || len(strings.TrimSpace(string(raw))) == 0 {
			return nil, nil, err
		}
		if err := json.Unmarshal(raw, &typed); err != nil {
			return nil, nil, err
		}
		return typed, nil, nil
	}
	if e.Request.MultipartForm == nil {
		if err := e.Request.ParseMultipartForm(router.DefaultMaxMemory); err != nil {
			return nil, nil, err
		}
	}
	typed, form = map[string]any{}, map[string]any{}
	for k, vs := range e.Request.MultipartForm.Value {
		if k == router.JSONPayloadKey {
			for _, v := range vs {
				var part map[string]any
				if err := json.Unmarshal([]byte(v), &part); err != nil {
					return nil, nil, err
				}
				maps.Copy(typed, part)
			}
			continue
		}
		if len(vs) == 1 {
			form[k] = vs[0]
		} else {
			form[k] = vs
		}
	}
	return typed, form, nil
}
