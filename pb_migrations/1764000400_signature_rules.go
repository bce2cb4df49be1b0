package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Co-signatures only on residents' applications: a grid worker could add
// them to its community's own (community-kind) drafts, which it cannot
// even see. The rules are written out here, as released.
func init() {
	const (
		roles  = `(@request.auth.role = "grid_worker" || @request.auth.role = "community_staff")`
		create = roles + ` && @request.body.application.community = @request.auth.org && @request.body.application.status = "draft" && @request.body.application.applicant_kind = "residents"`
		update = roles + ` && application.community = @request.auth.org && application.status = "draft" && application.applicant_kind = "residents" && (@request.body.application:isset = false || @request.body.application = application)`
		del    = roles + ` && application.community = @request.auth.org && application.status = "draft" && application.applicant_kind = "residents"`
	)
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("signatures")
		if err != nil {
			return fmt.Errorf("signature rules: %w", err)
		}
		c.CreateRule, c.UpdateRule, c.DeleteRule = types.Pointer(create), types.Pointer(update), types.Pointer(del)
		if err := app.Save(c); err != nil {
			return fmt.Errorf("signature rules: %w", err)
		}
		return nil
	}, nil)
}
