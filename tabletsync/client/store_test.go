package client_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"yuetan/tabletsync/client"
)

// TestDamagedStoreSaysSo: a tablet whose local store is damaged (an outbox
// entry and a record no longer JSON) says so instead of carrying on as if
// all were well: Push fails before sending anything and keeps the
// mutation, an edit of the record fails, and Record, which answers
// without an error, keeps the failure for Err.
func TestDamagedStoreSaysSo(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the damaged outbox was sent: %s %s", r.Method, r.URL)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "tablet.db")
	c, err := client.Open(path, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	id, err := c.Create("issues", map[string]any{"title": "楼道照明损坏"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Err() != nil {
		t.Fatalf("a sound store reports %v", c.Err())
	}

	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`UPDATE outbox SET data = '{"title": 楼'`, `UPDATE records SET data = 'not json'`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}

	if _, err := c.Push(context.Background()); err == nil {
		t.Error("Push of a damaged outbox entry succeeded")
	}
	if n := c.Pending(); n != 1 {
		t.Errorf("after the failed push: %d pending, want the mutation kept", n)
	}
	if err := c.Update("issues", id, map[string]any{"address": "3幢"}); err == nil {
		t.Error("an edit of a damaged record succeeded")
	}
	if rec, _, ok := c.Record("issues", id); ok {
		t.Errorf("a damaged record read as %v", rec)
	}
	if c.Err() == nil {
		t.Error("Err does not report the damaged record")
	}
}
