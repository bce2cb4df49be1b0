package collections

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/workflow"
)

// Issues are the problems and suggestions residents raise, collected door to
// door or at meetings.
const (
	Issues   = "issues"
	IssuesID = "pbc_issues"

	IssueCommunity     = "community"
	IssueGrid          = "grid"
	IssueKind          = "kind"
	IssueTitle         = "title"
	IssueDescription   = "description"
	IssueAddress       = "address"
	IssueLocation      = "location"
	IssueResidentName  = "resident_name"
	IssueResidentPhone = "resident_phone"
	IssuePhotos        = "photos"
	IssueSource        = "source"
	IssueMeeting       = "meeting"
	IssueCollectedBy   = "collected_by"
	IssueCollectedAt   = "collected_at"
	IssueStatus        = "status"
	IssueApplication   = "application"
	// IssueDuplicateOf is the original an issue repeats (community staff
	// mark it); the duplicate follows the original's application and status.
	IssueDuplicateOf = "duplicate_of"
)

// IssueDuplicateOfIndex finds an original's duplicates.
const IssueDuplicateOfIndex = "idx_issues_duplicate_of"

// IssueCollectedIndex finds a period's issues of a kind.
const IssueCollectedIndex = "idx_issues_kind_collected_at"

// Issue statuses.
const (
	IssueOpen          = "open"
	IssueInApplication = "in_application"
	IssueResolved      = "resolved"
	IssueClosed        = "closed"
)

// ResidentFields are the personal fields only the community, the street
// above it, the working group and supervisors may see.
var ResidentFields = []string{IssueResidentName, IssueResidentPhone}

// ImageMimeTypes are the photo formats tablets upload.
var ImageMimeTypes = []string{"image/jpeg", "image/png", "image/webp", "image/heic"}

// IssuePhotoMaxPixels bounds a photo (width × height, read from its header
// at upload; see ImageBudgets): a phone's full-resolution photo fits (the
// web app sends at most 1600 px a side).
const IssuePhotoMaxPixels = 40_000_000

// NewIssues builds issues: written by the community's grid workers and
// staff, read by them, the street above, the district offices, and the
// leaders and handlers of the application an issue belongs to.
func NewIssues() *core.Collection {
	c := core.NewBaseCollection(Issues, IssuesID)
	c.Fields.Add(
		relation(IssueCommunity, OrgsID, true),
		text(IssueGrid, 50, false),
		selectOne(IssueKind, workflow.IssueKinds.Values(), true),
		text(IssueTitle, 200, true),
		text(IssueDescription, 10000, false),
		text(IssueAddress, 200, false),
		&core.GeoPointField{Name: IssueLocation},
		text(IssueResidentName, 50, false),
		&core.TextField{Name: IssueResidentPhone, Max: 30, Pattern: `^[0-9+\- ]*$`},
		&core.FileField{Name: IssuePhotos, MaxSelect: 6, MaxSize: 5 << 20, MimeTypes: ImageMimeTypes, Protected: true, Thumbs: []string{"320x240"}},
		selectOne(IssueSource, workflow.IssueSources.Values(), true),
		relation(IssueMeeting, MeetingsID, false),
		relation(IssueCollectedBy, UsersID, false),
		&core.DateField{Name: IssueCollectedAt},
		selectOne(IssueStatus, workflow.IssueStatuses.Values(), false),
		relation(IssueApplication, ApplicationsID, false),
		relation(IssueDuplicateOf, IssuesID, false),
	)
	timestamps(c)
	c.AddIndex("idx_issues_community", false, IssueCommunity, "")
	c.AddIndex("idx_issues_application", false, IssueApplication, "")
	c.AddIndex(IssueDuplicateOfIndex, false, IssueDuplicateOf, "")
	// the figures count a period's problems and suggestions
	c.AddIndex(IssueCollectedIndex, false, IssueKind+", "+IssueCollectedAt, "")
	read := rule(append([]string{
		and(communityRoles, "community = @request.auth.org"),
		and(roleIs(RoleStreetReviewer), "community.parent = @request.auth.org"),
	},
		// the district offices see every issue; leaders and handlers those of
		// the applications they may read
		readsApplication("application.", RoleWorkingGroup, RoleSupervisor, RoleLeader, RoleHandler)...)...)
	c.ListRule, c.ViewRule = read, read
	c.CreateRule = rule(and(communityRoles, "@request.body.community = @request.auth.org"))
	c.UpdateRule = rule(and(communityRoles, "community = @request.auth.org", staysInCommunity))
	c.DeleteRule = rule(and(communityRoles, "community = @request.auth.org", `status = "open"`))
	return c
}

// Issue wraps an issues record.
type Issue struct{ core.BaseRecordProxy }

// Community returns the community org id.
func (i *Issue) Community() string { return i.GetString(IssueCommunity) }

// Status returns the issue status.
func (i *Issue) Status() string { return i.GetString(IssueStatus) }
