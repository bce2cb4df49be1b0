package rollup_test

import (
	"context"
	"strings"
	"testing"

	"yuetan/collections"
	"yuetan/rollup"
)

// personalValues reads every personal value the district holds: residents'
// names, addresses and phones (issues, applications' contacts, co-signers)
// and users' phones and e-mails.
func personalValues(t *testing.T, d *district) []string {
	t.Helper()
	var out []string
	for coll, cols := range rollup.Personal {
		for _, col := range cols {
			var vals []string
			if err := d.App.DB().NewQuery("SELECT DISTINCT [[" + col + "]] FROM {{" + coll + "}} WHERE [[" + col + "]] != ''").Column(&vals); err != nil {
				t.Fatal(err)
			}
			out = append(out, vals...)
		}
	}
	// an application's contact is often an official, whose name is public
	var officials []string
	if err := d.App.DB().NewQuery("SELECT name FROM users").Column(&officials); err != nil {
		t.Fatal(err)
	}
	out = slicesDelete(out, officials)
	var emails []string
	if err := d.App.DB().NewQuery("SELECT email FROM users WHERE email != ''").Column(&emails); err != nil {
		t.Fatal(err)
	}
	return append(out, emails...)
}

// leaks returns the personal values found anywhere in the district's rows
// of any replicated table (every column, as text).
func leaks(t *testing.T, pg, code string, values []string) []string {
	t.Helper()
	c := pgConn(t, pg)
	var found []string
	for _, coll := range rollup.Collections {
		rows, err := c.Query(context.Background(), "SELECT t::text FROM yuetan."+coll+" t WHERE district = $1", code)
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			all.WriteString(s)
		}
		rows.Close()
		for _, v := range values {
			if strings.Contains(all.String(), v) {
				found = append(found, coll+": "+v)
			}
		}
	}
	return found
}

// TestPersonalDataNotReplicatedByDefault reads PostgreSQL itself: with the
// default options no resident's name, address or phone and no user's phone
// or e-mail is anywhere in the replicated rows. Turned on, they are there
// (residents' and users' phones, never e-mails); turned off again, they are
// cleared at once, without waiting for the records to change.
func TestPersonalDataNotReplicatedByDefault(t *testing.T) {
	pg := newDB(t)
	d := newDistrict(t, "330102")
	d.Fixture() // an issue with 测试居民 13912345678, a co-signer, …
	values := personalValues(t, d)
	if len(values) < 10 {
		t.Fatalf("only %d personal values in the fixture: the test proves nothing", len(values))
	}
	for _, q := range []string{"SELECT count(*) FROM users WHERE phone != ''", "SELECT count(*) FROM issues WHERE resident_phone != ''",
		"SELECT count(*) FROM issues WHERE resident_name != ''", "SELECT count(*) FROM signatures WHERE phone != ''"} {
		var n int
		if err := d.App.DB().NewQuery(q).Row(&n); err != nil || n == 0 {
			t.Fatalf("%s: %d (%v): the test would prove nothing for it", q, n, err)
		}
	}
	d.catchUp(pg, rollup.Options{})
	if l := leaks(t, pg, d.code, values); len(l) > 0 {
		t.Fatalf("personal data replicated without the district's consent: %v", l)
	}
	assertReplica(t, d, pg, false) // everything else is there
	c := pgConn(t, pg)
	if n := count(t, c, "SELECT count(*) FROM yuetan.issues WHERE resident_name IS NOT NULL OR resident_phone IS NOT NULL"); n != 0 {
		t.Errorf("%d issues carry residents' details", n)
	}

	// on: the district's records are resynchronised with their personal data
	d.catchUp(pg, rollup.Options{Personal: true})
	assertReplica(t, d, pg, true)
	var want int64
	if err := d.App.DB().NewQuery("SELECT count(*) FROM issues WHERE resident_phone = '13912345678'").Row(&want); err != nil || want == 0 {
		t.Fatalf("fixture phone in %d issues (%v)", want, err)
	}
	if n := count(t, c, "SELECT count(*) FROM yuetan.issues WHERE resident_phone = '13912345678'"); n != want {
		t.Errorf("with personal data on, the fixture's resident phone is in %d issues, want %d", n, want)
	}
	if l := leaks(t, pg, d.code, []string{"grid@yuetan.example", "admin@yuetan.example"}); len(l) > 0 {
		t.Errorf("e-mails replicated: %v", l)
	}

	// off again: cleared at registration, before any record changes
	r, _ := d.replicator(pg, rollup.Options{})
	if err := r.Connect(t.Context()); err != nil {
		t.Fatal(err)
	}
	if l := leaks(t, pg, d.code, values); len(l) > 0 {
		t.Fatalf("personal data kept after the district turned it off: %v", l)
	}
	// and a new record's personal data stays out
	d.save(collections.Issues, "", map[string]any{collections.IssueCommunity: d.Org("DL-HC").Id, collections.IssueKind: "problem",
		collections.IssueTitle: "新问题", collections.IssueSource: "door_to_door", collections.IssueResidentName: "新居民甲", collections.IssueResidentPhone: "13800001111"})
	if _, err := r.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	if l := leaks(t, pg, d.code, []string{"新居民甲", "13800001111"}); len(l) > 0 {
		t.Fatalf("new personal data replicated: %v", l)
	}
	assertReplica(t, d, pg, false)
}

func slicesDelete(list, drop []string) []string {
	var out []string
	for _, v := range list {
		if !contains(drop, v) {
			out = append(out, v)
		}
	}
	return out
}
