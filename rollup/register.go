package rollup

import (
	"context"
	"fmt"
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

// OptionsFromEnv reads the settings; nil when the replicator is off. A
// malformed value is an error (serve refuses to start), not a default.
func OptionsFromEnv() (*Options, error) {
	url := os.Getenv(EnvPostgres)
	if url == "" {
		return nil, nil
	}
	o := &Options{Postgres: url, District: os.Getenv(EnvDistrict)}
	switch v := os.Getenv(EnvPersonal); v {
	case "", "0":
	case "1":
		o.Personal = true
	default:
		return nil, fmt.Errorf("%w：%s=%q 无效：应为 0 或 1", ErrBadOptions, EnvPersonal, v)
	}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{EnvInterval, &o.Interval}, {EnvLagWarn, &o.LagWarn}} {
		if v := os.Getenv(d.name); v != "" {
			n, err := time.ParseDuration(v)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("%w：%s=%q 无效：应为正的时长，如 1s、30s、2m", ErrBadOptions, d.name, v)
			}
			*d.to = n
		}
	}
	if v := os.Getenv(EnvBatch); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > MaxBatchSize {
			return nil, fmt.Errorf("%w：%s=%q 无效：应为 1 到 %d 的整数", ErrBadOptions, EnvBatch, v, MaxBatchSize)
		}
		o.BatchSize = n
	}
	return o, nil
}

// Register serves GET /api/replication and, when the settings turn it on,
// runs the replicator in the background of `serve`. The settings are read
// when serving starts (other commands ignore them); a bad one stops serve
// with a clear error.
func Register(app core.App) error {
	var rep *Replicator
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		opts, err := OptionsFromEnv()
		if err == nil && opts != nil {
			rep, err = New(app, *opts)
		}
		if err != nil {
			return fmt.Errorf("汇总复制设置有误：%w", err)
		}
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
		if rep != nil {
			app.Store().Set(storeKey, rep)
			BindWake(app, rep)
			// a test app has no HTTP server: its test drives the replicator
			if se.Server != nil {
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
		}
		return se.Next()
	})
	return nil
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
