// Package savectx owns what a save carries besides the record: who is
// acting, what time it is and which address the request came in on.
// Save-level hooks have no request, so the request layer (or the sync API,
// or a test) attaches these here and the rules read them back.
package savectx

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

type ctxKey int

const (
	actorKey ctxKey = iota
	nowKey
	originKey
)

// attachedKey is the record custom-data key under which the request layer
// leaves the actor (PocketBase's REST handlers save with a background
// context, so the record itself must carry it). Custom data is never
// stored in the database nor exported in responses.
const attachedKey = "@yuetan_actor"

// attachedOriginKey is the custom-data key of the request's origin.
const attachedOriginKey = "@yuetan_origin"

// Actor is who performs a save.
type Actor struct {
	// Record is the authenticated user or superuser; nil for guests and the system.
	Record *core.Record
	// System marks trusted server-side code (cron, demo seeding, migrations).
	System bool
}

// System is the actor of trusted server code. It is never assumed: server
// code that saves with the system's authority says so (WithActor(ctx,
// System) or AsSystem), so a new route that forgets to attach its caller
// saves as Nobody, whom the workflow refuses.
var System = Actor{System: true}

// Nobody is the actor of a save that carries none: neither a signed-in
// caller nor the system.
var Nobody = Actor{}

// IsSuperuser reports whether the actor is a superuser (the admin dashboard).
func (a Actor) IsSuperuser() bool { return a.Record != nil && a.Record.IsSuperuser() }

// IsGuest reports whether nobody is signed in and it is not the system.
func (a Actor) IsGuest() bool { return a.Record == nil && !a.System }

// ID returns the actor's record id, "" for the system and guests.
func (a Actor) ID() string {
	if a.Record == nil {
		return ""
	}
	return a.Record.Id
}

// WithActor returns ctx carrying the actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// AsUser returns ctx carrying auth (a user or superuser record) as the actor.
func AsUser(ctx context.Context, auth *core.Record) context.Context {
	return WithActor(ctx, Actor{Record: auth})
}

// Attach marks rec as being saved by auth (nil for a guest).
func Attach(rec *core.Record, auth *core.Record) {
	rec.SetRaw(attachedKey, Actor{Record: auth})
}

// AsSystem returns ctx carrying the system as the actor.
func AsSystem(ctx context.Context) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return WithActor(ctx, System)
}

// Of returns who saves rec: the context's actor first, then the one
// attached to the record; a save that carries neither is Nobody (it fails
// closed: the rules treat it as a guest).
func Of(ctx context.Context, rec *core.Record) Actor {
	if ctx != nil {
		if a, ok := ctx.Value(actorKey).(Actor); ok {
			return a
		}
	}
	if rec != nil {
		if a, ok := rec.GetRaw(attachedKey).(Actor); ok {
			return a
		}
	}
	return Nobody
}

// At returns ctx whose clock reads t (tests and the demo replay past dates).
func At(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, nowKey, t)
}

// Now returns the context's time, or the wall clock.
func Now(ctx context.Context) time.Time {
	if ctx != nil {
		if t, ok := ctx.Value(nowKey).(time.Time); ok {
			return t
		}
	}
	return time.Now()
}

// WithOrigin returns ctx carrying the scheme and host ("https://host") the
// request that causes the save came in on.
func WithOrigin(ctx context.Context, origin string) context.Context {
	return context.WithValue(ctx, originKey, origin)
}

// AttachOrigin marks rec as saved in answer to a request that came in on origin.
func AttachOrigin(rec *core.Record, origin string) {
	rec.SetRaw(attachedOriginKey, origin)
}

// Origin returns the origin of the request behind the save: the context's
// first, then the one attached to the record; "" when the save has none
// (cron, commands).
func Origin(ctx context.Context, rec *core.Record) string {
	if ctx != nil {
		if o, ok := ctx.Value(originKey).(string); ok {
			return o
		}
	}
	if rec != nil {
		if o, ok := rec.GetRaw(attachedOriginKey).(string); ok {
			return o
		}
	}
	return ""
}

// InTransaction runs fn in one transaction with e.App set to it, so the
// rest of the save (fn calls e.Next()) and whatever fn writes beside it
// commit or fail together; e.App is the caller's again afterwards.
func InTransaction(e *core.RecordEvent, fn func(tx core.App) error) error {
	original := e.App
	defer func() { e.App = original }()
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		return fn(tx)
	})
}
