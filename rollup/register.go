package rollup

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"
)

// Settings for `serve` (environment variables; the replicator is off when
// YUETAN_ROLLUP_POSTGRES is empty):
//
//	YUETAN_ROLLUP_POSTGRES   the roll-up database's URL
//	YUETAN_ROLLUP_DISTRICT   this district's code in it
//	YUETAN_ROLLUP_PERSONAL   1: also replicate residents' and users' personal data (default 0)
//	YUETAN_ROLLUP_INTERVAL   how often to look for changes besides the save hooks (default 1s)
//	YUETAN_ROLLUP_LAG_WARN   lag past which the log warns (default 30s)
//	YUETAN_ROLLUP_BATCH      feed rows per transaction (default 2000)
const (
	EnvPostgres = "YUETAN_ROLLUP_POSTGRES"
	EnvDistrict = "YUETAN_ROLLUP_DISTRICT"
	EnvPersonal = "YUETAN_ROLLUP_PERSONAL"
	EnvInterval = "YUETAN_ROLLUP_INTERVAL"
	EnvLagWarn  = "YUETAN_ROLLUP_LAG_WARN"
	EnvBatch    = "YUETAN_ROLLUP_BATCH"
)

const storeKey = "yuetan.rollup.replicator"

// FromApp returns the replicator Register set up for app (nil: off).
func FromApp(app core.App) *Replicator {
	r, _ := app.Store().Get(storeKey).(*Replicator)
	return r
}

// OptionsFromEnv reads the settings; nil when the replicator is off.
func OptionsFromEnv() *Options {
	url := os.Getenv(EnvPostgres)
	if url == "" {
		return nil
	}
	o := &Options{Postgres: url, District: os.Getenv(EnvDistrict), Personal: os.Getenv(EnvPersonal) == "1"}
	o.Interval, _ = time.ParseDuration(os.Getenv(EnvInterval))
	o.LagWarn, _ = time.ParseDuration(os.Getenv(EnvLagWarn))
	o.BatchSize, _ = strconv.Atoi(os.Getenv(EnvBatch))
	return o
}

// Register runs the replicator in the background of `serve` when the
// settings turn it on, and serves GET /api/replication.
func Register(app core.App) error {
	_, err := RegisterWith(app, OptionsFromEnv())
	return err
}

// RegisterWith is Register with explicit options (nil: replicator off). It
// returns the replicator, which serve starts in the background; a test
// app (no HTTP server) leaves starting it to the test.
func RegisterWith(app core.App, opts *Options) (*Replicator, error) {
	var rep *Replicator
	if opts != nil {
		var err error
		if rep, err = New(app, *opts); err != nil {
			return nil, err
		}
		app.Store().Set(storeKey, rep)
		BindWake(app, rep)
	}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/replication", func(e *core.RequestEvent) error {
			switch {
			case e.Auth == nil:
				return router.NewUnauthorizedError("请先以超级管理员身份登录。", nil)
			case !e.Auth.IsSuperuser():
				return router.NewForbiddenError("复制状态仅供超级管理员查看。", nil)
			}
			if rep == nil {
				return e.JSON(http.StatusOK, Status{Enabled: false})
			}
			return e.JSON(http.StatusOK, rep.Status())
		})
		if rep != nil && se.Server != nil {
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() {
				defer close(done)
				_ = rep.Run(ctx)
			}()
			app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
				cancel()
				<-done
				return e.Next()
			})
		}
		return se.Next()
	})
	return rep, nil
}

// BindWake wakes rep after every committed save of a replicated collection
// in app, so a following replicator applies it at once.
func BindWake(app core.App, rep *Replicator) {
	wake := func(e *core.RecordEvent) error {
		err := e.Next()
		rep.Wake()
		return err
	}
	for _, c := range Collections {
		app.OnRecordAfterCreateSuccess(c).BindFunc(wake)
		app.OnRecordAfterUpdateSuccess(c).BindFunc(wake)
		app.OnRecordAfterDeleteSuccess(c).BindFunc(wake)
	}
}
