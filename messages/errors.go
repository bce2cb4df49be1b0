package messages

import (
	"errors"
	"net/http"
	"sort"
	"strings"
	"unicode"

	"github.com/pocketbase/pocketbase/tools/router"
)

// Tidy puts apiErr's messages in Chinese (see messages.go), fixes
// their punctuation and promotes the first Chinese field message to the
// top-level message.
func Tidy(apiErr *router.ApiError) {
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
		if !promoted && HasHan(msg) && !HasHan(apiErr.Message) {
			apiErr.Message = msg
			promoted = true
		}
	}
	if !HasHan(apiErr.Message) {
		if zh := topMessage(apiErr.Message); zh != "" {
			apiErr.Message = zh
		}
	}
}

// Public turns any error into PocketBase's API error shape, tidied.
func Public(err error) *router.ApiError {
	var apiErr *router.ApiError
	if !errors.As(err, &apiErr) {
		apiErr = router.NewApiError(http.StatusBadRequest, "", err)
		if len(apiErr.Data) == 0 {
			apiErr.Message = err.Error()
		}
	}
	Tidy(apiErr)
	return apiErr
}

func tidy(s string) string {
	for _, p := range []string{"。", "！", "？", "）", "”"} {
		if strings.HasSuffix(s, p+".") {
			return strings.TrimSuffix(s, ".")
		}
	}
	if strings.HasSuffix(s, ".") && HasHan(s) {
		return strings.TrimSuffix(s, ".") + "。"
	}
	return s
}

// HasHan reports whether s has any Chinese character.
func HasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
