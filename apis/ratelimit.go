package apis

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	pbapis "github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"
)

// rateLimitPrefix starts the error PocketBase's rate limiter wraps in its
// 429 (apis/middlewares_rate_limit.go), followed by the rule as JSON.
const rateLimitPrefix = "triggered rate limit rule: "

// rateLimitChinese answers PocketBase's 429 (its rate limits are turned
// on by a migration) in Chinese, with how long to wait, and a Retry-After
// header. It wraps the rate limiter, which answers before the handler
// chain reaches chineseErrors.
var rateLimitChinese = &hook.Handler[*core.RequestEvent]{
	Id:       "yuetan.rateLimitMessage",
	Priority: pbapis.DefaultRateLimitMiddlewarePriority - 5, // after the auth token is loaded
	Func: func(e *core.RequestEvent) error {
		err := e.Next()
		var apiErr *router.ApiError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusTooManyRequests {
			wait, auth := limitedRule(apiErr)
			if wait > 0 {
				e.Response.Header().Set("Retry-After", strconv.FormatInt(wait, 10))
			}
			apiErr.Message = rateLimitMessage(wait, auth)
		}
		return err
	},
}

// limitedRule reads the window (seconds) of the rule that refused, and
// whether it is a sign-in rule, from PocketBase's error.
func limitedRule(apiErr *router.ApiError) (wait int64, auth bool) {
	raw, _ := apiErr.RawData().(error)
	if raw == nil {
		return 0, false
	}
	_, js, ok := strings.Cut(raw.Error(), rateLimitPrefix)
	var rule core.RateLimitRule
	if !ok || json.Unmarshal([]byte(js), &rule) != nil {
		return 0, false
	}
	return rule.Duration, strings.HasSuffix(rule.Label, ":auth")
}

func rateLimitMessage(wait int64, auth bool) string {
	what := "请求过于频繁"
	if auth {
		what = "登录尝试过于频繁"
	}
	switch {
	case wait <= 0:
		return what + "，请稍后再试。"
	case wait%60 == 0:
		return fmt.Sprintf("%s，请 %d 分钟后再试。", what, wait/60)
	}
	return fmt.Sprintf("%s，请 %d 秒后再试。", what, wait)
}
