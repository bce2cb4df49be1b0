// Package cli holds what yuetan's own commands (forms, export) share:
// ending the process on failure, the Chinese error line, and opening the
// data directory as serve would.
package cli

import (
	"fmt"
	"os"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// Exit returns the exit function of a command run by the binary:
// PocketBase's Execute discards a command's error, so after a failure the
// app is closed and the process ends with the code.
func Exit(app core.App) func(code int) {
	return func(code int) {
		_ = app.ResetBootstrapState()
		os.Exit(code)
	}
}

// RunE wraps run: a failure is printed as 错误：… on standard error and
// exit (nil: none) is called with 1; the error is returned as well.
func RunE(exit func(code int), run func(cmd *cobra.Command) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		err := run(cmd)
		if err != nil {
			fmt.Fprintln(cmd.ErrOrStderr(), "错误："+err.Error())
			if exit != nil {
				exit(1)
			}
		}
		return err
	}
}

// Open bootstraps app's data directory and, when it was last served by an
// older binary (it lacks the collection probe), brings the schema up to
// date as `serve` would.
func Open(app core.App, probe string) error {
	if !app.IsBootstrapped() {
		if err := app.Bootstrap(); err != nil {
			return fmt.Errorf("无法打开数据目录 %s：%w", app.DataDir(), err)
		}
	}
	if _, err := app.FindCollectionByNameOrId(probe); err != nil {
		if err := app.RunAllMigrations(); err != nil {
			return fmt.Errorf("数据库迁移失败：%w", err)
		}
	}
	return nil
}
