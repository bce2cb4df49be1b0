package hooks

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"unicode"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// bindChineseErrors tidies API errors for people: PocketBase ends every
// message with an ASCII period ("。." in Chinese), and its top-level
// message is generic English; when a field carries a Chinese message, that
// message becomes the top-level one. The JSON shape stays PocketBase's.
func bindChineseErrors(app core.App) error {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "yuetan.errors",
			Priority: -99,
			Func: func(e *core.RequestEvent) error {
				err := e.Next()
				var apiErr *router.ApiError
				if errors.As(err, &apiErr) {
					TidyError(apiErr)
				}
				return err
			},
		})
		return se.Next()
	})
	return nil
}

// TidyError puts apiErr's messages in Chinese (see messages.go), fixes
// their punctuation and promotes the first Chinese field message to the
// top-level message.
func TidyError(apiErr *router.ApiError) {
	apiErr.Message = tidy(apiErr.Message)
	fields := make([]string, 0, len(apiErr.Data))
	for k := range apiErr.Data {
		fields = append(fields, k)
	}
	sort.Strings(fields)
	promoted := false
	for _, k := range fields {
		item, ok := apiErr.Data[k].(map[string]any)
		if !ok {
			continue
		}
		msg := tidy(FieldMessage(item))
		item["message"] = msg
		if !promoted && hasHan(msg) && !hasHan(apiErr.Message) {
			apiErr.Message = msg
			promoted = true
		}
	}
	if !hasHan(apiErr.Message) {
		if zh := statusMessage(apiErr.Status); zh != "" {
			apiErr.Message = zh
		}
	}
}

// PublicError turns any error into PocketBase's API error shape, tidied.
func PublicError(err error) *router.ApiError {
	var apiErr *router.ApiError
	if !errors.As(err, &apiErr) {
		apiErr = router.NewApiError(http.StatusBadRequest, "", err)
		if len(apiErr.Data) == 0 {
			apiErr.Message = err.Error()
		}
	}
	TidyError(apiErr)
	return apiErr
}

func tidy(s string) string {
	for _, p := range []string{"。", "！", "？", "）", "”"} {
		if strings.HasSuffix(s, p+".") {
			return strings.TrimSuffix(s, ".")
		}
	}
	if strings.HasSuffix(s, ".") && hasHan(s) {
		return strings.TrimSuffix(s, ".") + "。"
	}
	return s
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
