package forms

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/deadlines"
	"yuetan/errpage"
	"yuetan/savectx"
	"yuetan/siteurl"
	"yuetan/stats"
	"yuetan/workdays"
)

// The routes:
//
//	GET /api/forms/{form}/{id}            application, signatures, notice (id: the application),
//	                                      talk, feedback (id: the talk or feedback, or the application for its latest);
//	                                      signatures?copy=archive is the archive copy, every phone in full
//	GET /api/forms/bulletin?month=2026-11 the month's supervision bulletin (working group, supervisors)
//	GET /api/forms/verify/{code}          public: what a printed copy's QR code points at
//
// The form routes take the caller from the Authorization header or, for a
// plain link a browser opens to print, from ?token= (an auth token or a
// short-lived file token, validated as PocketBase validates them).
func bindRoutes(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		// a link a person opened that fails shows a Chinese page, not JSON
		se.Router.GET("/api/forms/bulletin", serveBulletin).BindFunc(errpage.Handle)
		se.Router.GET("/api/forms/verify/{code}", serveVerify).BindFunc(errpage.Handle)
		se.Router.GET("/api/forms/{form}/{id}", serveForm).BindFunc(errpage.Handle)
		return se.Next()
	})
}

// Caller returns who asks: the Authorization header's user, else the
// ?token= of a printing link. The token is taken out of the request URL at
// once, so PocketBase's request log never stores it.
func Caller(e *core.RequestEvent) (*core.Record, error) {
	q := e.Request.URL.Query()
	token := q.Get("token")
	if q.Has("token") {
		q.Del("token")
		e.Request.URL.RawQuery = q.Encode()
	}
	if e.Auth != nil {
		return e.Auth, nil
	}
	if token == "" {
		return nil, router.NewUnauthorizedError("请先登录。", nil)
	}
	auth, err := e.App.FindAuthRecordByToken(token, core.TokenTypeAuth, core.TokenTypeFile)
	if err != nil {
		return nil, router.NewUnauthorizedError("打印链接中的登录凭证无效或已过期，请重新登录后再打开。", nil)
	}
	e.Auth = auth
	return auth, nil
}

// mayView answers 404, as PocketBase's REST API does, unless the caller may
// view every record by its collection's view rule.
func mayView(e *core.RequestEvent, records []*core.Record) error {
	info, err := e.RequestInfo()
	if err != nil {
		return router.NewBadRequestError("", err)
	}
	for _, r := range records {
		ok, err := e.App.CanAccessRecord(r, info, r.Collection().ViewRule)
		if err != nil || !ok {
			return errNotFound()
		}
	}
	return nil
}

func serveForm(e *core.RequestEvent) error {
	auth, err := Caller(e)
	if err != nil {
		return err
	}
	form, ok := formByName(e.Request.PathValue("form"))
	if !ok {
		return router.NewNotFoundError("没有这种表格："+e.Request.PathValue("form")+"。", nil)
	}
	if form.Name == "bulletin" {
		return router.NewNotFoundError("督查通报请按月份打印：/api/forms/bulletin?month=YYYY-MM。", nil)
	}
	t, err := resolve(e.App, form, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	if err := mayView(e, t.checks); err != nil {
		return err
	}
	if err := stageError(t); err != nil {
		return err
	}
	mp := newMapper(e.App)
	// the sheet that circulates masks the residents' phones; the archive copy has them in full
	mp.archive = form.Name == "signatures" && e.Request.URL.Query().Get("copy") == "archive"
	m, err := mp.mapTarget(t)
	if err != nil {
		return err
	}
	return send(e, m, auth)
}

func serveBulletin(e *core.RequestEvent) error {
	auth, err := Caller(e)
	if err != nil {
		return err
	}
	// the figures' own access decision; leaders see only their own figures,
	// so the district-wide bulletin is not theirs
	district, err := stats.Access(auth)
	var apiErr *router.ApiError
	if err == nil && !district || errors.As(err, &apiErr) && apiErr.Status == http.StatusForbidden {
		return router.NewForbiddenError("月度督查通报仅供专门工作小组和督查查看。", nil)
	}
	if err != nil {
		return err
	}
	month, err := ParseMonth(e.Request.URL.Query().Get("month"))
	if err != nil {
		return router.NewBadRequestError("月份无效："+err.Error()+"。",
			validation.Errors{"month": validation.NewError("invalid_month", "月份无效："+err.Error()+"。")})
	}
	m, err := newMapper(e.App).bulletin(deadlines.Calendar(e.App), month, time.Now())
	if err != nil {
		return err
	}
	return send(e, m, auth)
}

// send produces m for the caller and writes it as an inline PDF.
func send(e *core.RequestEvent, m *mapped, auth *core.Record) error {
	b, err := produce(e.App, m, siteurl.ForRequest(e.App, e.Request), time.Now().In(workdays.Shanghai), producerOf(savectx.Actor{Record: auth}))
	if err != nil {
		return err
	}
	h := e.Response.Header()
	h.Set("Content-Disposition", ContentDisposition("inline", m.fileName(), m.asciiName()))
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer")
	return e.Blob(http.StatusOK, "application/pdf", b)
}

// ContentDisposition builds the header with an ASCII fallback file name and
// the real one in RFC 5987's UTF-8 encoding (RFC 6266).
func ContentDisposition(kind, name, ascii string) string {
	var b strings.Builder
	for _, c := range []byte(name) {
		if isAttrChar(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, ascii), b.String())
}

// isAttrChar reports whether c may stand unencoded in an RFC 5987 value.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

// Verification is what GET /api/forms/verify/{code} reveals: no record
// content, only which form, its serial, who produced it when, and whether
// the record would print differently now.
type Verification struct {
	Code       string         `json:"code"`
	Form       string         `json:"form"` // Chinese title
	Serial     string         `json:"serial"`
	ProducedBy string         `json:"produced_by"` // a name
	ProducedAt types.DateTime `json:"produced_at"`
	Archive    bool           `json:"archive"` // the archive copy stored on the record
	Changed    bool           `json:"changed"`
	Message    string         `json:"message"`
}

func serveVerify(e *core.RequestEvent) error {
	code := normalizeCode(e.Request.PathValue("code"))
	var row *core.Record
	if code != "" {
		row, _ = e.App.FindFirstRecordByData(FormPrints, PrintCode, code)
	}
	if row == nil {
		return router.NewNotFoundError("验证码不存在：这份表格不是本系统生成的，或验证码抄写有误。", nil)
	}
	v, err := verify(e.App, row)
	if err != nil {
		return err
	}
	if strings.Contains(e.Request.Header.Get("Accept"), "text/html") {
		var b strings.Builder
		if err := verifyPage.Execute(&b, v); err != nil {
			return err
		}
		return e.HTML(http.StatusOK, b.String())
	}
	return e.JSON(http.StatusOK, v)
}

// verify answers for a print row, re-mapping its record now.
func verify(app core.App, row *core.Record) (*Verification, error) {
	form, _ := formByName(row.GetString(PrintForm))
	changed, err := changedSince(app, row)
	if err != nil {
		return nil, err
	}
	v := &Verification{
		Code:       row.GetString(PrintCode),
		Form:       form.Title,
		Serial:     row.GetString(PrintSerial),
		ProducedBy: row.GetString(PrintProducedByName),
		ProducedAt: row.GetDateTime(PrintProducedAt),
		Archive:    row.GetBool(PrintArchive),
		Changed:    changed,
		Message:    "与系统中的记录一致。",
	}
	if changed {
		v.Message = "打印后记录已有变更（如后续审核、办理意见），请以系统中的记录为准。"
	}
	return v, nil
}

// changedSince reports whether the print's record maps to different
// content now (a deleted record, or one whose form can no longer be
// printed, has changed too). The bulletin is recomputed as of its print.
func changedSince(app core.App, row *core.Record) (bool, error) {
	form, ok := formByName(row.GetString(PrintForm))
	if !ok {
		return true, nil
	}
	mp := newMapper(app)
	mp.archive = row.GetBool(PrintArchive)
	var m *mapped
	if form.Name == "bulletin" {
		month, err := ParseMonth(row.GetString(PrintRecordID))
		if err != nil {
			return true, nil
		}
		if m, err = mp.bulletin(deadlines.Calendar(app), month, row.GetDateTime(PrintProducedAt).Time()); err != nil {
			return false, err
		}
	} else {
		t, err := resolve(app, form, row.GetString(PrintRecordID))
		if err != nil || stageError(t) != nil || t.rec == nil || t.rec.Id != row.GetString(PrintRecordID) {
			return true, nil
		}
		if m, err = mp.mapTarget(t); err != nil {
			return false, err
		}
	}
	hash, err := m.contentHash()
	if err != nil {
		return false, err
	}
	return hash != row.GetString(PrintContentHash), nil
}

var verifyPage = template.Must(template.New("verify").Funcs(template.FuncMap{
	"when": func(d types.DateTime) string { return workdays.DisplayDateTime(d.Time()) },
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>表格核验 {{.Code}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;line-height:1.6}
dt{color:#555}dd{margin:0 0 .6rem}.ok{color:#176d2c}.changed{color:#a33}</style></head>
<body><h1>表格核验</h1>
<p class="{{if .Changed}}changed{{else}}ok{{end}}"><strong>{{.Message}}</strong></p>
<dl><dt>表格</dt><dd>{{.Form}}</dd><dt>编号</dt><dd>{{.Serial}}</dd>
<dt>生成人</dt><dd>{{.ProducedBy}}</dd><dt>生成时间</dt><dd>{{when .ProducedAt}}</dd>
<dt>验证码</dt><dd>{{.Code}}{{if .Archive}}（存档件）{{end}}</dd></dl></body></html>
`))
