package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"

	"yuetan/collections"
	"yuetan/workdays"
)

// The State Council's holiday notices, as reference rows tablets can pull
// and staff can see; the same data is built into the workdays package.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId(collections.CalendarDays)
		if err != nil {
			return fmt.Errorf("find calendar_days: %w", err)
		}
		for _, d := range workdays.BuiltinDays() {
			if existing, _ := app.FindFirstRecordByData(c, collections.CalendarDate, d.Date); existing != nil {
				continue
			}
			r := core.NewRecord(c)
			r.Set(collections.CalendarDate, d.Date)
			r.Set(collections.CalendarWorkday, d.Workday)
			r.Set(collections.CalendarName, d.Name)
			r.Set(collections.CalendarSource, "国务院办公厅通知")
			if err := app.Save(r); err != nil {
				return fmt.Errorf("save calendar day %s: %w", d.Date, err)
			}
		}
		return nil
	}, nil)
}
