// Package server wires every part of yuetan into a PocketBase app: the
// hooks, routes, cron jobs and commands. main.go and the tests call the
// same Register, so tests run the production wiring.
package server

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	hooks "yuetan/pb_hooks"
	"yuetan/stats"
)

// Register binds everything yuetan adds to a PocketBase app.
func Register(app core.App) error {
	if err := hooks.Register(app); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	stats.Register(app, hooks.Calendar)
	return nil
}
