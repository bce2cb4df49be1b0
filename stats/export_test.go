package stats

import (
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"yuetan/workdays"
)

// ComputeEveryApplication is Compute reading every application, not only
// the period's population.
func ComputeEveryApplication(app core.App, cal *workdays.Calendar, q Query, now time.Time) (*Figures, error) {
	return compute(app.DB(), app, cal, q, now, dbx.NewExp("1 = 1"))
}
