package notify

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/collections"
	"yuetan/workflow"
)

// Notifications are the inbox: one record per person a supervision record
// is aimed at. Only the recipient reads it; the server writes it (in the
// supervision's transaction) and marks it read (POST /api/notifications/read).
const (
	Notifications   = "notifications"
	NotificationsID = "pbc_notifications"

	NotifRecipient   = "recipient"
	NotifKind        = "kind"
	NotifApplication = "application"
	NotifSupervision = "supervision"
	NotifTitle       = "title"
	NotifText        = "text"
	NotifAuthor      = "author"
	NotifAuthorName  = "author_name"
	NotifReadAt      = "read_at"
)

// Outbox holds one row per notification and channel, with its delivery
// status; superusers only (the dashboard shows it).
const (
	Outbox   = "outbox"
	OutboxID = "pbc_outbox"

	OutNotification = "notification"
	OutChannel      = "channel"
	OutStatus       = "status"
	OutAttempts     = "attempts"
	OutNextTry      = "next_try"
	OutLeaseUntil   = "lease_until"
	OutClaim        = "claim"
	OutLastError    = "last_error"
	OutSentAt       = "sent_at"
)

// Channels.
const (
	ChannelInApp = "in_app"
	ChannelEmail = "email"
	ChannelSMS   = "sms"
)

// Delivery statuses of an outbox row.
const (
	StatusPending = "pending" // waiting for its next try
	StatusSending = "sending" // claimed by a worker until lease_until
	StatusSent    = "sent"
	StatusFailed  = "failed"  // gave up (a refusal, or too many tries)
	StatusSkipped = "skipped" // the channel is off or the person has no address for it
)

// Channels lists the channels in the order each notification gets them.
var Channels = []string{ChannelInApp, ChannelEmail, ChannelSMS}

// NewNotifications builds the inbox collection: the recipient alone may
// list and view; nobody writes through the API.
func NewNotifications() *core.Collection {
	c := core.NewBaseCollection(Notifications, NotificationsID)
	c.Fields.Add(
		&core.RelationField{Name: NotifRecipient, CollectionId: collections.UsersID, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.SelectField{Name: NotifKind, Values: workflow.SupervisionKinds.Values(), MaxSelect: 1, Required: true},
		// a notification goes with the draft it is about when that is deleted
		&core.RelationField{Name: NotifApplication, CollectionId: collections.ApplicationsID, MaxSelect: 1, CascadeDelete: true},
		&core.RelationField{Name: NotifSupervision, CollectionId: collections.SupervisionsID, MaxSelect: 1, CascadeDelete: true},
		// title is composed by the server alone (kind, serial, subject): the
		// e-mail and the SMS carry it; text adds the supervisor's note
		&core.TextField{Name: NotifTitle, Max: 300, Required: true},
		&core.TextField{Name: NotifText, Max: 6000, Required: true},
		&core.RelationField{Name: NotifAuthor, CollectionId: collections.UsersID, MaxSelect: 1},
		&core.TextField{Name: NotifAuthorName, Max: 200},
		&core.DateField{Name: NotifReadAt},
		&core.AutodateField{Name: collections.FieldCreated, OnCreate: true},
		&core.AutodateField{Name: collections.FieldUpdated, OnCreate: true, OnUpdate: true},
	)
	c.AddIndex("idx_notifications_recipient", false, NotifRecipient+", "+NotifReadAt, "")
	c.AddIndex("idx_notifications_once", true, NotifSupervision+", "+NotifRecipient, NotifSupervision+" != ''")
	own := types.Pointer(NotifRecipient + " = @request.auth.id")
	c.ListRule, c.ViewRule = own, own
	return c
}

// NewOutbox builds the outbox collection (superusers only).
func NewOutbox() *core.Collection {
	c := core.NewBaseCollection(Outbox, OutboxID)
	c.Fields.Add(
		&core.RelationField{Name: OutNotification, CollectionId: NotificationsID, MaxSelect: 1, Required: true, CascadeDelete: true},
		&core.SelectField{Name: OutChannel, Values: Channels, MaxSelect: 1, Required: true},
		&core.SelectField{Name: OutStatus, Values: []string{StatusPending, StatusSending, StatusSent, StatusFailed, StatusSkipped}, MaxSelect: 1, Required: true},
		&core.NumberField{Name: OutAttempts, OnlyInt: true},
		&core.DateField{Name: OutNextTry},
		&core.DateField{Name: OutLeaseUntil},
		// claim is the token of the worker holding the row: only it marks the row
		&core.TextField{Name: OutClaim, Max: 40},
		&core.TextField{Name: OutLastError, Max: 1000},
		&core.DateField{Name: OutSentAt},
		&core.AutodateField{Name: collections.FieldCreated, OnCreate: true},
		&core.AutodateField{Name: collections.FieldUpdated, OnCreate: true, OnUpdate: true},
	)
	c.AddIndex("idx_outbox_once", true, OutNotification+", "+OutChannel, "")
	c.AddIndex("idx_outbox_due", false, OutStatus+", "+OutNextTry, "")
	return c
}

// All returns the collections this package owns, in creation order.
func All() []*core.Collection { return []*core.Collection{NewNotifications(), NewOutbox()} }
