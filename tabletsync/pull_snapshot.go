package tabletsync

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"yuetan/tabletsync/wire"
)

// An initial sync would walk the whole feed for the few records a
// community's tablet may see. Instead, its first pull lists, per
// collection, the visible records and their feed seqs in one query each
// (through the rule's own index where it has one, e.g. community = ...)
// and keeps that list in memory, sorted by seq; the session's pages are
// served from it up to the feed's end at that moment, then the feed walk
// goes on from there. A listed record whose feed row has moved since
// (changed, deleted, re-scoped) is skipped: the walk after the list meets
// it at its new seq. The list is only an accelerator: when it is gone
// (expired, evicted, a restart), the walk serves the same pages.
//
// The lists are bounded: one user holds at most snapshotsPerUser of them
// (a user starting full syncs over and over only replaces its own), all of
// them together at most snapshotBudget items (about 60 bytes each: some
// 120 MB), and snapshotMaxKept lists; the least recently used go first.
const (
	snapshotMaxItems = 200_000 // beyond this, walk the feed
	snapshotTTL      = 10 * time.Minute
	snapshotMaxKept  = 256
	snapshotsPerUser = 2
	snapshotBudget   = 2_000_000
)

// snapshotMinRange is how many feed rows ahead of the cursor make a list
// worth it (a variable for the tests).
var snapshotMinRange int64 = 5000

type snapItem struct {
	seq  int64
	coll string
	id   string
}

type snapshot struct {
	to    int64 // the feed's last seq when listed
	items []snapItem
	user  string
	used  time.Time // for the TTL
	tick  uint64    // order of use (times tie)
}

type snapshots struct {
	mu    sync.Mutex
	m     map[int64]*snapshot
	items int // in all lists
	ticks uint64
}

func (c *snapshots) get(session int64) *snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.m[session]
	if s != nil {
		c.ticks++
		s.used, s.tick = time.Now(), c.ticks
	}
	return s
}

// put keeps s for session, a pull session of user, dropping expired lists
// and, least recently used first, what is over the bounds.
func (c *snapshots) put(session int64, user string, s *snapshot) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]*snapshot{}
	}
	c.remove(session)
	now := time.Now()
	for k, v := range c.m {
		if now.Sub(v.used) > snapshotTTL {
			c.remove(k)
		}
	}
	mine := func(v *snapshot) bool { return v.user == user }
	all := func(*snapshot) bool { return true }
	for c.count(mine) >= snapshotsPerUser {
		c.remove(c.oldest(mine))
	}
	for len(c.m) > 0 && (len(c.m) >= snapshotMaxKept || c.items+len(s.items) > snapshotBudget) {
		c.remove(c.oldest(all))
	}
	c.ticks++
	s.user, s.used, s.tick = user, now, c.ticks
	c.m[session] = s
	c.items += len(s.items)
}

func (c *snapshots) count(match func(*snapshot) bool) int {
	n := 0
	for _, v := range c.m {
		if match(v) {
			n++
		}
	}
	return n
}

func (c *snapshots) oldest(match func(*snapshot) bool) int64 {
	var oldest int64
	var tick uint64
	for k, v := range c.m {
		if match(v) && (tick == 0 || v.tick < tick) {
			oldest, tick = k, v.tick
		}
	}
	return oldest
}

func (c *snapshots) remove(session int64) {
	if v := c.m[session]; v != nil {
		c.items -= len(v.items)
		delete(c.m, session)
	}
}

func (c *snapshots) drop(sessions ...int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, id := range sessions {
		c.remove(id)
	}
}

// stats returns how many lists user has and how many items all lists hold.
func (c *snapshots) stats(user string) (lists, items int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count(func(v *snapshot) bool { return v.user == user }), c.items
}

// listVisible lists what the caller may see of every pulled collection
// with a feed upsert in (after, hi], sorted by seq; nil when there is too
// much.
func listVisible(vis *visibility, after, hi int64) (*snapshot, error) {
	s := &snapshot{to: hi}
	pulled, err := vis.pulled()
	if err != nil {
		return nil, err
	}
	for _, r := range pulled {
		rows, err := vis.upserts(r, after, hi, upsertScan{limit: int64(snapshotMaxItems - len(s.items) + 1)})
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			s.items = append(s.items, snapItem{seq: row.Seq, coll: r.coll.Name, id: row.ID})
		}
		if len(s.items) > snapshotMaxItems {
			return nil, nil
		}
	}
	slices.SortFunc(s.items, func(a, b snapItem) int { return cmp.Compare(a.seq, b.seq) })
	return s, nil
}

// page returns up to limit listed records after seq after, and the seq the
// page reaches (the list's end when it is exhausted).
func (s *snapshot) page(after int64, limit int) ([]Change, int64) {
	i, _ := slices.BinarySearchFunc(s.items, after, func(it snapItem, seq int64) int { return cmp.Compare(it.seq, seq+1) })
	var out []Change
	for ; i < len(s.items) && len(out) < limit; i++ {
		it := s.items[i]
		out = append(out, Change{Seq: it.seq, Collection: it.coll, ID: it.id, Op: wire.OpUpsert})
	}
	if len(out) == limit && i < len(s.items) {
		return out, out[len(out)-1].Seq
	}
	return out, s.to
}
