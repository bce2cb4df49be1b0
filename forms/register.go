package forms

import (
	"github.com/pocketbase/pocketbase/core"
)

// Register binds the form routes and the archive copies to app (the
// archive fields are server-owned: collections.ServerFields).
func Register(app core.App) error {
	bindRoutes(app)
	bindArchive(app)
	return nil
}
