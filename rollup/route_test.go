package rollup_test

import (
	"net/http"
	"testing"

	"yuetan/demo"
	"yuetan/rollup"
)

// TestReplicationRoute: GET /api/replication is for superusers only (401
// for guests, 403 for every other role), and shows the lag: pending changes
// and their age before a catch-up, none after.
func TestReplicationRoute(t *testing.T) {
	pg := newDB(t)
	t.Setenv(rollup.EnvPostgres, pg)
	t.Setenv(rollup.EnvDistrict, "330102")
	t.Setenv(rollup.EnvLagWarn, "1ms")
	d := newDistrict(t, "330102")
	for _, c := range []struct {
		who  string
		want int
	}{
		{"", http.StatusUnauthorized},
		{"grid@yuetan.example", http.StatusForbidden},
		{"staff@yuetan.example", http.StatusForbidden},
		{"street@yuetan.example", http.StatusForbidden},
		{"wg@yuetan.example", http.StatusForbidden},
		{"secretary@yuetan.example", http.StatusForbidden},
		{"handler@yuetan.example", http.StatusForbidden},
		{"sup@yuetan.example", http.StatusForbidden},
		{demo.SuperuserEmail, http.StatusOK},
	} {
		res := d.Do("GET", "/api/replication", c.who, nil)
		if res.Status != c.want {
			t.Errorf("%q: %d, want %d: %s", c.who, res.Status, c.want, res)
		}
		if c.want != http.StatusOK && res.JSON(t)["message"] == "" {
			t.Errorf("%q: no message: %s", c.who, res)
		}
	}
	before := d.Do("GET", "/api/replication", demo.SuperuserEmail, nil).JSON(t)
	if before["enabled"] != true || before["pending"].(float64) < 100 || before["lag_seconds"].(float64) <= 0 || before["behind"] != true {
		t.Errorf("before catching up: %v", before)
	}
	if s, _ := before["postgres"].(string); s == "" {
		t.Errorf("postgres not shown: %v", before)
	}
	rep := rollup.FromApp(d.App)
	if rep == nil {
		t.Fatal("the setting did not register a replicator")
	}
	if _, err := rep.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	after := d.Do("GET", "/api/replication", demo.SuperuserEmail, nil).JSON(t)
	if after["pending"].(float64) != 0 || after["lag_seconds"].(float64) != 0 || after["behind"] != false ||
		after["applied_seq"].(float64) == 0 || after["state"] != "following" {
		t.Errorf("after catching up: %v", after)
	}

	// off: the route says so
	t.Setenv(rollup.EnvPostgres, "")
	off := newDistrict(t, "330105")
	if res := off.Do("GET", "/api/replication", demo.SuperuserEmail, nil); res.Status != http.StatusOK || res.JSON(t)["enabled"] != false {
		t.Errorf("replicator off: %s", res)
	}
}
