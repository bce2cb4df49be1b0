package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/savectx"
)

// bindServerFields keeps collections.ServerFields the server's: every
// writer but the system has its values dropped on create (author fields
// take the writer's id) and the kept ones restored on update. The
// defaults and the rest are set by the hooks that own them.
func bindServerFields(app core.App) error {
	byCollection := map[string][]collections.ServerField{}
	for _, f := range collections.ServerFields {
		byCollection[f.Collection] = append(byCollection[f.Collection], f)
	}
	for name, fields := range byCollection {
		app.OnRecordCreate(name).BindFunc(func(e *core.RecordEvent) error {
			if a := actorOf(e); !a.System {
				for _, f := range fields {
					e.Record.Set(f.Name, nil)
					if f.Author && !a.IsSuperuser() {
						e.Record.Set(f.Name, a.ID())
					}
				}
			}
			return e.Next()
		})
		app.OnRecordUpdate(name).BindFunc(func(e *core.RecordEvent) error {
			if a := actorOf(e); !a.System {
				for _, f := range fields {
					if f.Kept {
						e.Record.Set(f.Name, e.Record.Original().Get(f.Name))
					}
				}
			}
			return e.Next()
		})
	}
	app.OnRecordCreate(collections.Issues).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.IssueStatus) == "" {
			e.Record.Set(collections.IssueStatus, collections.IssueOpen)
		}
		if e.Record.GetDateTime(collections.IssueCollectedAt).IsZero() {
			e.Record.Set(collections.IssueCollectedAt, savectx.Now(e.Context))
		}
		return e.Next()
	})
	app.OnRecordCreate(collections.Signatures).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetDateTime(collections.SigSignedAt).IsZero() {
			e.Record.Set(collections.SigSignedAt, savectx.Now(e.Context))
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
	return nil
}
