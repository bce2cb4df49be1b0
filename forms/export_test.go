package forms

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/deadlines"
)

// RenderDirectly maps form for id as the route does and returns a
// function that only renders it (for the benchmark's baseline).
func RenderDirectly(app core.App, form, id string) (func() ([]byte, error), error) {
	f, _ := formByName(form)
	mp := newMapper(app)
	var m *mapped
	var err error
	if form == "bulletin" {
		month, perr := ParseMonth(id)
		if perr != nil {
			return nil, perr
		}
		m, err = mp.bulletin(deadlines.Calendar(app), month, time.Now())
	} else {
		t, rerr := resolve(app, f, id)
		if rerr != nil {
			return nil, rerr
		}
		m, err = mp.mapTarget(t)
	}
	if err != nil {
		return nil, err
	}
	if err := m.stamp("http://localhost:8090", time.Now()); err != nil {
		return nil, err
	}
	return m.pdf, nil
}
