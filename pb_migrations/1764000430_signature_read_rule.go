package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Co-signers are read with their application: a grid worker listed the
// co-signatures (residents' names, addresses, phones) of its community's
// applications after they left draft, when it could no longer open the
// application itself. The rule is written out here, as released.
func init() {
	const read = `(@request.auth.role = "community_staff" && application.community = @request.auth.org) || ` +
		`(@request.auth.role = "grid_worker" && application.community = @request.auth.org && application.applicant_kind = "residents" && application.status = "draft") || ` +
		`(@request.auth.role = "street_reviewer" && application.street = @request.auth.org) || ` +
		`((@request.auth.role = "working_group" || @request.auth.role = "supervisor"))`
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("signatures")
		if err != nil {
			return fmt.Errorf("signature read rule: %w", err)
		}
		c.ListRule, c.ViewRule = types.Pointer(read), types.Pointer(read)
		if err := app.Save(c); err != nil {
			return fmt.Errorf("signature read rule: %w", err)
		}
		return nil
	}, nil)
}
