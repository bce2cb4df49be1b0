package notify

import (
	"fmt"
	"sync"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/drainloop"
	"yuetan/savectx"
)

const storeKey = "yuetan.notify"

// service is the package's state on one app: the options and the worker.
type service struct {
	mu     sync.RWMutex
	opts   Options
	worker *Worker
}

func (s *service) options() Options {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.opts
}

func (s *service) poke() {
	s.mu.RLock()
	w := s.worker
	s.mu.RUnlock()
	if w != nil {
		w.Wake()
	}
}

// Register binds the fan-out on supervision records, the inbox routes and,
// under serve, the delivery worker (settings: OptionsFromEnv).
func Register(app core.App) error {
	s := &service{opts: Options{}.withDefaults()}
	app.Store().Set(storeKey, s)
	// in the supervision's own transaction: no notification without its
	// record, no record without its notifications
	app.OnRecordCreateExecute(collections.Supervisions).BindFunc(func(e *core.RecordEvent) error {
		return savectx.InTransaction(e, func(tx core.App) error {
			if err := e.Next(); err != nil {
				return err
			}
			_, err := FanOut(tx, e.Record, s.options(), savectx.Now(e.Context))
			return err
		})
	})
	app.OnRecordAfterCreateSuccess(collections.Supervisions).BindFunc(func(e *core.RecordEvent) error {
		s.poke()
		return e.Next()
	})
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		opts, err := OptionsFromEnv()
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.opts = opts
		s.mu.Unlock()
		bindNotifyApi(se.App, se.Router.Group("/api"))
		// a test app has no HTTP server: its tests drive a worker themselves
		if se.Server != nil {
			w := NewWorker(se.App, opts)
			s.mu.Lock()
			s.worker = w
			s.mu.Unlock()
			stop := drainloop.Go(w.Run)
			se.App.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
				stop()
				return e.Next()
			})
		}
		return se.Next()
	})
	return nil
}

// Configure sets app's delivery options (tests: the ones serve reads from
// the environment) and returns a worker for them that is not running.
func Configure(app core.App, opts Options) (*Worker, error) {
	s, ok := app.Store().Get(storeKey).(*service)
	if !ok {
		return nil, fmt.Errorf("notify: not registered on this app")
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	w := NewWorker(app, opts)
	s.mu.Lock()
	s.opts, s.worker = opts, w
	s.mu.Unlock()
	return w, nil
}
