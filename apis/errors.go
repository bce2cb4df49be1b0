package apis

import (
	"errors"

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
			messages.Tidy(apiErr)
		}
		return err
	},
}
