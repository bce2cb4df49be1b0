// Command yuetan is the server of 群众约谈、干部解难: PocketBase extended with
// the process's collections, rules, forms and offline sync.
package main

import (
	"fmt"
	"log"
	"os"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/pocketbase/pocketbase/tools/hook"

	"yuetan/demo"
	"yuetan/forms"
	"yuetan/internal/stmtcache"
	"yuetan/ledger"
	_ "yuetan/pb_migrations"
	"yuetan/rollup"
	"yuetan/server"
	"yuetan/siteurl"
	syncclient "yuetan/tabletsync/client"
)

func main() {
	// Dev mode (every SQL statement printed) only when asked for with --dev:
	// PocketBase would turn it on under `go run` and for any binary in the
	// temp dir, burying the start message in SQL. Our own start message
	// replaces PocketBase's banner.
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDev: false, HideStartBanner: true, DBConnect: stmtcache.Connect})

	var withDemo bool
	var publicURL string
	app.RootCmd.PersistentFlags().BoolVar(&withDemo, "demo", false,
		"create the demo district, accounts and records on start (idempotent)")
	app.RootCmd.PersistentFlags().StringVar(&publicURL, "public-url", "",
		"the address people reach this server at, e.g. https://yuetan.example.gov.cn;\nprinted on every form and in its QR code, and saved as the application URL")

	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		Dir:          "pb_migrations",
		TemplateLang: migratecmd.TemplateLangGo,
	})

	if err := server.Register(app); err != nil {
		log.Fatal(err)
	}
	app.RootCmd.AddCommand(syncclient.Command())
	app.RootCmd.AddCommand(forms.Command(app))
	app.RootCmd.AddCommand(ledger.Command(app))
	app.RootCmd.AddCommand(rollup.Commands(app)...) // replicate, city-bulletin

	// PocketBase prints a command's error but exits 0: the first OnServe
	// handler (lowest priority runs first) sees every later one's error
	var serveErr error
	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{Id: "yuetan.serveError", Priority: -99999, Func: func(se *core.ServeEvent) error {
		serveErr = se.Next()
		return serveErr
	}})

	var demoCreated bool
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		// (flags are parsed after the app's bootstrap: read them here)
		if publicURL != "" {
			if err := siteurl.Set(se.App, publicURL); err != nil {
				return err
			}
		}
		se.InstallerFunc = server.Installer
		if withDemo {
			created, err := demo.Seed(se.App)
			if err != nil {
				return err
			}
			demoCreated = created
		}
		if err := se.Next(); err != nil {
			return err
		}
		// the listener is open now: say where everything is
		server.PrintStart(os.Stdout, os.Stderr, se.App, se.Server.Addr)
		if withDemo {
			if err := demo.PrintAccounts(os.Stdout, demoCreated); err != nil {
				return err
			}
		}
		fmt.Println("按 Ctrl+C 停止。")
		return nil
	})

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
	if serveErr != nil {
		os.Exit(1)
	}
}
