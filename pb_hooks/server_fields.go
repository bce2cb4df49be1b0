package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/savectx"
)

// bindServerFields sets the fields the server never takes from a client:
// who collected an issue or a signature and when.
func bindServerFields(app core.App) error {
	app.OnRecordCreate(collections.Issues).BindFunc(func(e *core.RecordEvent) error {
		a := actorOf(e)
		if !a.System {
			e.Record.Set(collections.IssueCollectedBy, a.ID())
			if a.IsSuperuser() {
				e.Record.Set(collections.IssueCollectedBy, "")
			}
			// an issue starts open and only the workflow links it to an application
			e.Record.Set(collections.IssueApplication, "")
			e.Record.Set(collections.IssueStatus, collections.IssueOpen)
		}
		if e.Record.GetString(collections.IssueStatus) == "" {
			e.Record.Set(collections.IssueStatus, collections.IssueOpen)
		}
		if e.Record.GetDateTime(collections.IssueCollectedAt).IsZero() {
			e.Record.Set(collections.IssueCollectedAt, savectx.Now(e.Context))
		}
		return e.Next()
	})
	app.OnRecordUpdate(collections.Issues).BindFunc(func(e *core.RecordEvent) error {
		if a := actorOf(e); !a.System {
			old := e.Record.Original()
			e.Record.Set(collections.IssueCollectedBy, old.Get(collections.IssueCollectedBy))
			e.Record.Set(collections.IssueApplication, old.Get(collections.IssueApplication))
		}
		return e.Next()
	})
	app.OnRecordCreate(collections.Signatures).BindFunc(func(e *core.RecordEvent) error {
		if a := actorOf(e); !a.System {
			e.Record.Set(collections.SigCollectedBy, "")
			if !a.IsSuperuser() {
				e.Record.Set(collections.SigCollectedBy, a.ID())
			}
		}
		if e.Record.GetDateTime(collections.SigSignedAt).IsZero() {
			e.Record.Set(collections.SigSignedAt, savectx.Now(e.Context))
		}
		return e.Next()
	})
	// a supervision record is its author's: never someone else's name
	app.OnRecordCreate(collections.Supervisions).BindFunc(func(e *core.RecordEvent) error {
		if a := actorOf(e); !a.System {
			e.Record.Set(collections.SupCreatedBy, "")
			if !a.IsSuperuser() {
				e.Record.Set(collections.SupCreatedBy, a.ID())
			}
		}
		return e.Next()
	})
	app.OnRecordUpdate(collections.Supervisions).BindFunc(func(e *core.RecordEvent) error {
		if a := actorOf(e); !a.System {
			e.Record.Set(collections.SupCreatedBy, e.Record.Original().Get(collections.SupCreatedBy))
		}
		return e.Next()
	})
	// an issue's meeting is one of its own community's
	checkMeeting := func(e *core.RecordEvent) error {
		if id := e.Record.GetString(collections.IssueMeeting); id != "" && !actorOf(e).System {
			m, err := e.App.FindRecordById(collections.Meetings, id)
			if err != nil || m.GetString(collections.MeetingCommunity) != e.Record.GetString(collections.IssueCommunity) {
				return fieldError(collections.IssueMeeting, "meeting_other_community", "只能选择本社区召开的会议。")
			}
		}
		return e.Next()
	}
	app.OnRecordCreate(collections.Issues).BindFunc(checkMeeting)
	app.OnRecordUpdate(collections.Issues).BindFunc(checkMeeting)
	app.OnRecordUpdate(collections.Signatures).BindFunc(func(e *core.RecordEvent) error {
		if a := actorOf(e); !a.System {
			e.Record.Set(collections.SigCollectedBy, e.Record.Original().Get(collections.SigCollectedBy))
		}
		return e.Next()
	})
	return nil
}
