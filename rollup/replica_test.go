package rollup_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"yuetan/internal/pgtest"
	"yuetan/rollup"
)

// TestStreamingReadReplica is the README's "beyond one PostgreSQL": a
// streaming read replica (pg_basebackup -R) of the city database serves
// analysts. The replicator writes to the primary; the standby refuses
// writes, and answers the same district and city figures as the primary.
func TestStreamingReadReplica(t *testing.T) {
	primary := pgtest.StartServer(t)
	standby := pgtest.StartStandby(t, primary)
	pg := pgtest.CreateDatabase(t, primary.URL())
	a, b := newDistrict(t, "330102"), newDistrict(t, "330105")
	a.catchUp(pg, rollup.Options{})
	b.edits(20, "乙")
	b.catchUp(pg, rollup.Options{})

	u, _ := url.Parse(pg)
	u.Host = "127.0.0.1:" + itoa(standby.Port)
	ro := u.String()
	// the standby has replayed everything the primary wrote
	c := pgConn(t, primary.URL())
	var lsn string
	if err := c.QueryRow(context.Background(), "SELECT pg_current_wal_lsn()::text").Scan(&lsn); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, "the standby to replay", func() bool {
		sc, err := pgxConnect(standby.URL())
		if err != nil {
			return false
		}
		defer sc.Close(context.Background())
		var ok bool
		_ = sc.QueryRow(context.Background(), "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", lsn).Scan(&ok)
		return ok
	})
	sc := pgConn(t, ro)
	if _, err := sc.Exec(context.Background(), "DELETE FROM yuetan.issues"); err == nil {
		t.Fatal("the read replica accepted a write")
	}
	now := time.Now()
	q := ranges(a, now)["all"]
	for _, code := range []string{"330102", "330105", ""} {
		var want, got any
		var err error
		if code == "" {
			want, err = rollup.CityFigures(t.Context(), openFigures(t, pg), q, now)
			if err == nil {
				got, err = rollup.CityFigures(t.Context(), openFigures(t, ro), q, now)
			}
		} else {
			want, err = rollup.DistrictFigures(t.Context(), openFigures(t, pg), code, q, now)
			if err == nil {
				got, err = rollup.DistrictFigures(t.Context(), openFigures(t, ro), code, q, now)
			}
		}
		if err != nil {
			t.Fatalf("%q: %v", code, err)
		}
		wj, _ := json.Marshal(want)
		gj, _ := json.Marshal(got)
		if d := jsonDiff(wj, gj); len(d) > 0 {
			t.Errorf("%q: standby differs from primary: %v", code, d)
		}
	}
}
