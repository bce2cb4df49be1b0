package tabletsync_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yuetan/demo"
	"yuetan/tabletsync"
	"yuetan/tabletsync/client"
	"yuetan/tabletsync/wire"
	"yuetan/workflow"
)

// countingTransport counts requests that failed in transit.
type countingTransport struct{ failed atomic.Int64 }

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		c.failed.Add(1)
	}
	return res, err
}

// TestFaultKill9 runs the real binary, has several tablets push
// continuously, and SIGKILLs the server at random moments (restarting it on
// the same data each time). The tablets retry until every mutation has an
// answer. Then, reading the database directly: every acknowledged mutation
// is there exactly once, and no record lacks its feed row (nor the reverse).
func TestFaultKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server binary")
	}
	dir := t.TempDir()
	srv := startServer(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	transport := &countingTransport{}
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	accounts := []string{"grid@yuetan.example", "staff@yuetan.example", "grid2@yuetan.example", "staff2@yuetan.example"}
	type tablet struct {
		c       *client.Client
		staff   bool
		org     string
		leader  string
		creates map[string]string // record id → collection
	}
	var tablets []*tablet
	for i, email := range accounts {
		c, err := client.Open(filepath.Join(dir, fmt.Sprintf("tablet-%d.db", i)), srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.HTTP = hc
		user, err := c.Login(ctx, email, demo.Password)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Pull(ctx); err != nil {
			t.Fatal(err)
		}
		tb := &tablet{c: c, staff: user["role"] == workflow.RoleCommunityStaff, org: user["org"].(string), creates: map[string]string{}}
		ids, _ := c.Records("users")
		for _, id := range ids {
			if u, _, _ := c.Record("users", id); u["role"] == workflow.RoleLeader && u["leader_rank"] == "four_teams" {
				tb.leader = id
			}
		}
		tablets = append(tablets, tb)
	}

	var killing atomic.Bool
	killing.Store(true)
	var wg sync.WaitGroup
	errs := make(chan error, len(tablets))
	for i, tb := range tablets {
		wg.Add(1)
		go func(i int, tb *tablet) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 9))
			for round := 0; killing.Load() || round < 20; round++ {
				for k := 0; k < 5; k++ {
					var id string
					var err error
					switch {
					case tb.staff && k == 0:
						id, err = tb.c.Create("applications", map[string]any{"community": tb.org, "applicant_kind": "community",
							"subject": fmt.Sprintf("断电测试申请 %d-%d", i, round), "category": workflow.CategoryCommunityBuilding,
							"target_leader": tb.leader, "talk_form": "visit"})
						tb.creates[id] = "applications"
					case k == 4 && len(tb.creates) > 0:
						for rid, coll := range tb.creates {
							if coll == "issues" {
								err = tb.c.Update("issues", rid, map[string]any{"description": fmt.Sprintf("第 %d 轮补充", round)})
								break
							}
						}
					default:
						id, err = tb.c.Create("issues", map[string]any{"community": tb.org, "kind": "problem",
							"title": fmt.Sprintf("断电测试问题 %d-%d-%d", i, round, k), "source": "door_to_door"})
						tb.creates[id] = "issues"
					}
					if err != nil {
						errs <- err
						return
					}
				}
				if _, err := tb.c.Push(ctx); err != nil {
					errs <- fmt.Errorf("tablet %d: %w", i, err)
					return
				}
				time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
			}
		}(i, tb)
	}

	// the killer: SIGKILL at random moments while the tablets push
	kills := 5
	rng := rand.New(rand.NewPCG(7, 7))
	for k := 0; k < kills; k++ {
		time.Sleep(time.Duration(150+rng.IntN(500)) * time.Millisecond)
		srv.kill()
		time.Sleep(time.Duration(rng.IntN(200)) * time.Millisecond)
		srv.start()
	}
	killing.Store(false)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	srv.kill() // one last time, right after the final answers

	if transport.failed.Load() == 0 {
		t.Fatal("no request failed: the kills did not interrupt any traffic")
	}
	one := countIn(t, dir)
	acknowledged, duplicates := 0, 0
	for i, tb := range tablets {
		if tb.c.Pending() != 0 {
			t.Fatalf("tablet %d still has %d mutations without an answer", i, tb.c.Pending())
		}
		outcomes, err := tb.c.Outcomes()
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outcomes {
			acknowledged++
			status := o.Status
			if status == wire.StatusDuplicate {
				duplicates++
				status = o.Outcome
			}
			if status != wire.StatusApplied {
				t.Fatalf("tablet %d: mutation %s %s: %s %s", i, o.ID, o.Op, o.Status, o.Error)
			}
			// the server remembers it once, applied, at the seq the tablet was told
			if n := one("SELECT COUNT(*) FROM _sync_mutations WHERE client = ? AND id = ? AND status = 'applied' AND seq = ?", tb.c.ID(), o.ID, o.Seq); n != 1 {
				t.Fatalf("tablet %d: mutation %s logged %d times", i, o.ID, n)
			}
			if o.Op == "create" {
				if n := one("SELECT COUNT(*) FROM "+o.Collection+" WHERE id = ?", o.Record); n != 1 {
					t.Fatalf("tablet %d: created %s/%s is missing", i, o.Collection, o.Record)
				}
			}
		}
		// each application was created once: one "create" event each
		for id, coll := range tb.creates {
			if coll != "applications" {
				continue
			}
			if n := one("SELECT COUNT(*) FROM events WHERE record_id = ? AND action = 'create'", id); n != 1 {
				t.Fatalf("application %s has %d create events", id, n)
			}
		}
		want := 0
		for _, coll := range tb.creates {
			if coll == "issues" {
				want++
			}
		}
		if n := one("SELECT COUNT(*) FROM issues WHERE title LIKE ?", fmt.Sprintf("断电测试问题 %d-%%", i)); n != want {
			t.Fatalf("tablet %d: %d issues on the server, %d created", i, n, want)
		}
	}
	// the feed and the records agree, both ways
	for _, e := range tabletsync.Table {
		if n := one(fmt.Sprintf(`SELECT COUNT(*) FROM %s r WHERE NOT EXISTS (SELECT 1 FROM _sync_changes c
			WHERE c.collection = '%s' AND c.record = r.id AND c.op = 'upsert')`, e.Collection, e.Collection)); n != 0 {
			t.Fatalf("%d %s without a feed row", n, e.Collection)
		}
		if n := one(fmt.Sprintf(`SELECT COUNT(*) FROM _sync_changes c WHERE c.collection = '%s' AND c.op = 'upsert'
			AND NOT EXISTS (SELECT 1 FROM %s r WHERE r.id = c.record)`, e.Collection, e.Collection)); n != 0 {
			t.Fatalf("%d feed rows of %s without a record", n, e.Collection)
		}
	}
	t.Logf("%d kills, %d requests failed in transit, %d mutations acknowledged (%d as duplicates of a lost answer)",
		kills+1, transport.failed.Load(), acknowledged, duplicates)
	if os.Getenv("SYNC_FAULT_KEEP") == "" {
		os.RemoveAll(filepath.Join(dir, "pb_data"))
	}
}
