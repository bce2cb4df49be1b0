package collections

import "github.com/pocketbase/pocketbase/core"

// Signatures are residents' co-signatures (居民联名签名表) on a residents' application.
const (
	Signatures   = "signatures"
	SignaturesID = "pbc_signatures"

	SigApplication = "application"
	SigName        = "name"
	SigAddress     = "address"
	SigPhone       = "phone"
	SigSignedAt    = "signed_at"
	SigImage       = "image"
	SigCollectedBy = "collected_by"
)

// SigImageMaxPixels bounds a signature image (see ImageBudgets): twice a
// full-screen signature pad on a tablet at 2× pixel density.
const SigImageMaxPixels = 8_000_000

// NewSignatures builds signatures: collected by the community's grid
// workers and staff while the application is a draft; read by them, the
// street and the district offices.
func NewSignatures() *core.Collection {
	c := core.NewBaseCollection(Signatures, SignaturesID)
	c.Fields.Add(
		&core.RelationField{Name: SigApplication, CollectionId: ApplicationsID, MaxSelect: 1, Required: true, CascadeDelete: true},
		text(SigName, 50, true),
		text(SigAddress, 200, true),
		&core.TextField{Name: SigPhone, Max: 30, Pattern: `^[0-9+\- ]*$`},
		&core.DateField{Name: SigSignedAt},
		&core.FileField{Name: SigImage, MaxSelect: 1, MaxSize: 1 << 20, MimeTypes: []string{"image/png", "image/jpeg", "image/webp"}, Protected: true},
		relation(SigCollectedBy, UsersID, false),
	)
	timestamps(c)
	c.AddIndex("idx_signatures_application", false, SigApplication, "")
	// co-signers are read with their application, by whoever may read it
	// (grid workers: while it is a residents' draft), leaders and handling
	// units aside
	read := rule(readsApplication("application.", RoleCommunityStaff, RoleGridWorker, RoleStreetReviewer, RoleWorkingGroup, RoleSupervisor)...)
	c.ListRule, c.ViewRule = read, read
	c.CreateRule, c.UpdateRule, c.DeleteRule = SignatureWriteRules()
	return c
}

// SignatureWriteRules are who may add, change and remove co-signatures:
// the community's grid workers and staff, on a draft of their community
// that residents apply with (a community's or cooperative's own
// application has no co-signers, and grid workers cannot even see one).
func SignatureWriteRules() (create, update, del *string) {
	residentsDraft := `application.status = "draft" && application.applicant_kind = "residents"`
	create = rule(and(communityRoles, "@request.body.application.community = @request.auth.org",
		`@request.body.application.status = "draft"`, `@request.body.application.applicant_kind = "residents"`))
	update = rule(and(communityRoles, "application.community = @request.auth.org", residentsDraft,
		"(@request.body.application:isset = false || @request.body.application = application)"))
	del = rule(and(communityRoles, "application.community = @request.auth.org", residentsDraft))
	return create, update, del
}
