package collections

import "github.com/pocketbase/pocketbase/core"

// CalendarDays holds the working-day calendar's special days: the built-in
// State Council notices as reference data plus local overrides.
const (
	CalendarDays   = "calendar_days"
	CalendarDaysID = "pbc_calendar_days"

	CalendarDate    = "date"
	CalendarWorkday = "workday"
	CalendarName    = "name"
	CalendarSource  = "source"
)

// NewCalendarDays builds calendar_days: public read (tablets show due
// dates offline), superuser write.
func NewCalendarDays() *core.Collection {
	c := core.NewBaseCollection(CalendarDays, CalendarDaysID)
	c.Fields.Add(
		&core.TextField{Name: CalendarDate, Required: true, Pattern: `^\d{4}-\d{2}-\d{2}$`, Min: 10, Max: 10},
		&core.BoolField{Name: CalendarWorkday},
		text(CalendarName, 50, false),
		text(CalendarSource, 50, false),
	)
	timestamps(c)
	c.AddIndex("idx_calendar_days_date", true, CalendarDate, "")
	c.ListRule = rule("")
	c.ViewRule = rule("")
	return c
}
