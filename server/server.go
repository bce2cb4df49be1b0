// Package server wires every part of yuetan into a PocketBase app: the
// hooks, routes, cron jobs and commands. main.go and the tests call the
// same Register, so tests run the production wiring.
package server

import (
	"fmt"
	"net/http"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/apis"
	"yuetan/bodyguard"
	"yuetan/deadlines"
	"yuetan/forms"
	"yuetan/ledger"
	"yuetan/notify"
	hooks "yuetan/pb_hooks"
	pbpublic "yuetan/pb_public"
	"yuetan/rollup"
	"yuetan/siteurl"
	"yuetan/stats"
	"yuetan/tabletsync"
)

// Register binds everything yuetan adds to a PocketBase app.
func Register(app core.App) error {
	for _, register := range []func(core.App) error{hooks.Register, deadlines.Register, apis.Register} {
		if err := register(app); err != nil {
			return fmt.Errorf("server: %w", err)
		}
	}
	stats.Register(app, deadlines.Calendar)
	if err := forms.Register(app); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	ledger.Register(app)
	if err := tabletsync.Register(app); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	// the inbox and the outbox's delivery worker (e-mail, SMS webhook)
	if err := notify.Register(app); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	// the PostgreSQL roll-up: background replicator (settings) and GET /api/replication
	if err := rollup.Register(app); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	// the web app (pb_public, embedded) at / — every other route wins over it
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if se.Server != nil { // tests serve the router without a server
			siteurl.SetListening(se.App, se.Server.Addr)
		}
		se.Router.GET("/{path...}", pbpublic.Handler())
		return se.Next()
	})
	// around the whole handler: PocketBase has set it when Next returns
	// and serves after
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := se.Next(); err != nil {
			return err
		}
		if se.Server != nil && se.Server.Handler != nil { // tests build their handler with Outermost
			se.Server.Handler = Outermost(se.Server.Handler)
		}
		return nil
	})
	return nil
}

// Outermost wraps the app's whole HTTP handler, every route and the mux's
// own answers: a request body answered unread never reaches the
// connection as requests (bodyguard). serve puts it around its server's
// handler; the test environment, whose ServeEvent has no server (that is
// how hooks tell a test from serve), around its mux.
func Outermost(h http.Handler) http.Handler { return bodyguard.Wrap(h) }
