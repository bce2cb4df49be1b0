package tabletsync

import (
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/routine"
	"github.com/pocketbase/pocketbase/tools/subscriptions"

	"yuetan/tabletsync/wire"
)

// nudgeDelay gathers the commits of a burst into one nudge.
const nudgeDelay = 200 * time.Millisecond

// nudger tells connected tablets, over PocketBase's realtime connection,
// that there is something new to pull. The message carries nothing about
// what changed (the pull decides what each user may see): it is sent to
// every signed-in client subscribed to wire.Topic, at most once per nudgeDelay.
type nudger struct {
	app     core.App
	pending atomic.Bool
	sent    atomic.Int64
}

func newNudger(app core.App) *nudger { return &nudger{app: app} }

// poke schedules a nudge unless one is already pending.
func (n *nudger) poke() {
	if n.pending.CompareAndSwap(false, true) {
		time.AfterFunc(nudgeDelay, n.fire)
	}
}

func (n *nudger) fire() {
	n.pending.Store(false)
	msg := subscriptions.Message{Name: wire.Topic, Data: []byte(`{"pull":true}`)}
	for _, chunk := range n.app.SubscriptionsBroker().ChunkedClients(300) {
		routine.FireAndForget(func() {
			for _, c := range chunk {
				if c.IsDiscarded() || !c.HasSubscription(wire.Topic) {
					continue
				}
				if auth, _ := c.Get(apis.RealtimeClientAuthKey).(*core.Record); auth == nil {
					continue
				}
				c.Send(msg)
				n.sent.Add(1)
			}
		})
	}
}
