// Package errpage answers a failing link that a person opened in the
// browser — a form's PDF, the bulletin, the ledger (台账) — with a page in
// Chinese, not PocketBase's JSON: the same status and message the API
// gives a program, for a person to read, with a way back.
package errpage

import (
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/messages"
)

// Handle is a route middleware: when the route fails and the request
// came from a browser opening the link (it accepts HTML), the error is
// answered as a page. Programs (fetch, curl, tests) still get the JSON.
func Handle(e *core.RequestEvent) error {
	err := e.Next()
	if err == nil || !WantsPage(e.Request) {
		return err
	}
	var apiErr *router.ApiError
	if !errors.As(err, &apiErr) {
		e.App.Logger().Error("link failed", "path", e.Request.URL.Path, "error", err)
		apiErr = router.NewInternalServerError("", nil)
	}
	messages.Tidy(apiErr)
	return Write(e, apiErr.Status, apiErr.Message)
}

// WantsPage reports whether r is a browser navigation (its Accept header
// names text/html), not a script's request.
func WantsPage(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// Write answers status with a Chinese page saying message.
func Write(e *core.RequestEvent, status int, message string) error {
	var b strings.Builder
	if err := page.Execute(&b, struct {
		Title, Message string
		Status         int
	}{Titles[status], message, status}); err != nil {
		return err
	}
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.HTML(status, b.String())
}

// Titles name each status for people.
var Titles = map[int]string{
	http.StatusBadRequest:          "请求有误",
	http.StatusUnauthorized:        "请先登录",
	http.StatusForbidden:           "无权打开",
	http.StatusNotFound:            "找不到内容",
	http.StatusConflict:            "暂时不能打开",
	http.StatusTooManyRequests:     "请求过于频繁",
	http.StatusInternalServerError: "服务器出错",
}

var page = template.Must(template.New("error").Funcs(template.FuncMap{
	"or": func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	},
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{or .Title "无法打开"}}</title>
<style>body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.7;color:#222}
h1{font-size:1.4rem}.msg{font-size:1.1rem}.code{color:#777;font-size:.9rem}</style></head>
<body><main role="alert"><h1>{{or .Title "无法打开"}}</h1>
<p class="msg">{{.Message}}</p>
<p class="code">错误代码 {{.Status}}</p>
<p><a href="/">返回工作台</a></p></main></body></html>
`))
