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

// SetRender replaces how w renders a queued form (tests: a render that
// fails, or one that counts).
func (w *ArchiveWorker) SetRender(render func(form string, data []byte) ([]byte, error)) {
	w.render = render
}

// SetClock replaces w's clock (tests: a backoff that has run out).
func (w *ArchiveWorker) SetClock(now func() time.Time) { w.now = now }

// RenderArchive is how a worker renders a queued form.
var RenderArchive = renderArchive

// Busy makes w see n requests in flight that never end.
func (w *ArchiveWorker) Busy(n int) {
	w.requests = &requestGauge{}
	w.requests.inFlight.Add(int64(n))
}
