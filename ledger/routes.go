package ledger

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/errpage"
	"yuetan/forms"
	"yuetan/stats"
	"yuetan/workdays"
)

// ContentType is the media type of an .xlsx workbook.
const ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Register serves the ledger:
//
//	GET /api/export/ledger?from=YYYY-MM-DD&to=YYYY-MM-DD   the .xlsx (both days included)
//
// to any signed-in user, holding what that user may list; a browser link
// may carry ?token= as the forms' links do. A failure a person opened
// shows a Chinese page.
func Register(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/export/ledger", serveLedger).BindFunc(errpage.Handle)
		return se.Next()
	})
}

func serveLedger(e *core.RequestEvent) error {
	auth, err := forms.Caller(e)
	if err != nil {
		return err
	}
	q := Query{Auth: auth}
	from, to := e.Request.URL.Query().Get("from"), e.Request.URL.Query().Get("to")
	q.From, q.To, err = stats.ParseRange(from, to, time.Now())
	if err != nil {
		return router.NewBadRequestError("导出区间无效：日期格式应为 YYYY-MM-DD，且结束日期不早于开始日期。",
			validation.Errors{"range": validation.NewError("invalid_range", err.Error())})
	}
	// into a temporary file first: a failure half-way is still an error
	// page, never half a workbook
	tmp, err := os.CreateTemp("", "yuetan-ledger-*.xlsx")
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if _, err := Write(e.App, q, tmp, nil); err != nil {
		return err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	name := FileName(q.From, q.To)
	h := e.Response.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Disposition", forms.ContentDisposition("attachment", name, "ledger.xlsx"))
	h.Set("Content-Length", fmt.Sprint(size))
	h.Set("Cache-Control", "private, no-store")
	h.Set("Referrer-Policy", "no-referrer")
	e.Response.WriteHeader(http.StatusOK)
	_, err = io.Copy(e.Response, tmp)
	return err
}

// FileName is the workbook's name for [from, to): 约谈台账_2026-11-01至2026-11-30.xlsx.
func FileName(from, to time.Time) string {
	return "约谈台账_" + workdays.FormatDate(from) + "至" + workdays.FormatDate(to.Add(-time.Second)) + ".xlsx"
}
