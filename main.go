// Command yuetan is the server of 群众约谈、干部解难: PocketBase extended with
// the process's collections, rules, forms and offline sync.
package main

import (
	"log"
	"os"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"

	"yuetan/demo"
	"yuetan/forms"
	_ "yuetan/pb_migrations"
	"yuetan/server"
	syncclient "yuetan/sync/client"
)

func main() {
	app := pocketbase.New()

	var withDemo bool
	app.RootCmd.PersistentFlags().BoolVar(&withDemo, "demo", false,
		"create the demo district, accounts and records on start (idempotent)")

	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		Dir:          "pb_migrations",
		TemplateLang: migratecmd.TemplateLangGo,
	})

	if err := server.Register(app); err != nil {
		log.Fatal(err)
	}
	app.RootCmd.AddCommand(syncclient.Command())
	app.RootCmd.AddCommand(forms.Command(app))

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if withDemo {
			if err := demo.Seed(se.App, os.Stdout); err != nil {
				return err
			}
		}
		return se.Next()
	})

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
