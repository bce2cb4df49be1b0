package apis

import (
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/messages"
)

// chineseErrors tidies every API error for people (messages.Tidy):
// PocketBase's validator messages and generic English top-level messages
// become Chinese, "。." becomes "。", and a field's Chinese message is
// promoted to the top level. The JSON shape stays PocketBase's.
var chineseErrors = &hook.Handler[*core.RequestEvent]{
	Id:       "yuetan.errors",
	Priority: -99,
	Func: func(e *core.RequestEvent) error {
		err := e.Next()
		var apiErr *router.ApiError
		if errors.As(err, &apiErr) {
			pocketbases := !messages.HasHan(apiErr.Message)
			messages.Tidy(apiErr)
			// PocketBase says the same for a missing token as for an expired
			// one: a guest has not signed in, only a token can have expired
			if pocketbases && apiErr.Status == http.StatusUnauthorized && e.Request.Header.Get("Authorization") == "" {
				apiErr.Message = "请先登录。"
			}
		}
		return err
	},
}
