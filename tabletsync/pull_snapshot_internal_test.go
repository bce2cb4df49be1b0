package tabletsync

import (
	"fmt"
	"testing"
)

func listOf(n int) *snapshot {
	return &snapshot{to: int64(n), items: make([]snapItem, n)}
}

// TestSnapshotsBounded fills the snapshot store past every bound: a user
// keeps at most snapshotsPerUser lists (the one it uses stays), all lists
// together at most snapshotBudget items and snapshotMaxKept lists, the
// least recently used going first, and dropped sessions free their items.
func TestSnapshotsBounded(t *testing.T) {
	var c snapshots
	// one user starting full syncs over and over keeps two lists, the
	// one it is paging through among them
	c.put(1, "u", listOf(10))
	for s := int64(2); s < 50; s++ {
		if c.get(1) == nil {
			t.Fatalf("the list in use was dropped at session %d", s)
		}
		c.put(s, "u", listOf(10))
		if lists, items := c.stats("u"); lists > snapshotsPerUser || items > snapshotsPerUser*10 {
			t.Fatalf("after %d lists: %d lists, %d items", s, lists, items)
		}
	}
	if c.get(48) != nil || c.get(49) == nil || c.get(1) == nil {
		t.Fatal("not the least recently used list was dropped")
	}
	// many users: the item budget holds
	big := snapshotBudget / 5
	for u := 0; u < 12; u++ {
		c.put(int64(100+u), fmt.Sprint("user", u), listOf(big))
		if _, items := c.stats(""); items > snapshotBudget {
			t.Fatalf("%d items kept, budget %d", items, snapshotBudget)
		}
	}
	if c.get(111) == nil || c.get(100) != nil {
		t.Fatal("the budget did not drop the oldest lists")
	}
	// and the number of lists
	for s := int64(1000); s < 1000+2*snapshotMaxKept; s++ {
		c.put(s, fmt.Sprint("many", s), listOf(1))
		if len(c.m) > snapshotMaxKept {
			t.Fatalf("%d lists kept", len(c.m))
		}
	}
	c.drop(1000+2*snapshotMaxKept-1, 1000+2*snapshotMaxKept-2)
	total := 0
	for _, v := range c.m {
		total += len(v.items)
	}
	if _, items := c.stats(""); items != total {
		t.Fatalf("item count %d, lists hold %d", items, total)
	}
}
