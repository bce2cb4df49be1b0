package tabletsync_test

import (
	"encoding/json"
	"testing"

	validation "github.com/pocketbase/ozzo-validation/v4"

	"yuetan/tabletsync"
	"yuetan/tabletsync/wire"
)

// FuzzDecodePush feeds the push decoder arbitrary bodies: it never panics,
// refuses with PocketBase-shaped validation errors, and whatever it accepts
// keeps the envelope's promises.
//
//	go test -run '^$' -fuzz FuzzDecodePush ./tabletsync
func FuzzDecodePush(f *testing.F) {
	for _, s := range []string{
		`{"client":"tab-1","mutations":[]}`,
		`{"client":"tab-1","cursor":"","mutations":[{"id":"m1","collection":"issues","op":"create","record":"abcdefghijklmno","data":{"title":"问题"}}]}`,
		`{"client":"tab-1","mutations":[{"id":"m1","collection":"issues","op":"update","record":"abcdefghijklmno","base":12,"data":{"photos-":["a.png"]}}]}`,
		`{"client":"tab-1","mutations":[{"id":"m1","collection":"issues","op":"delete","record":"abcdefghijklmno","base":3}]}`,
		`{"client":"tab-1","mutations":[{"id":"m1","collection":"_superusers","op":"create","record":"x"}]}`,
		`{"client":"a","mutations":[{"id":"m1","id":"m1"}]}`,
		`{"client":"a","mutations":"x"}`,
		`{"client":"a","mutations":[{"base":1e400}]}`,
		`[`, ``, `null`, `{"client":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		req, err := tabletsync.DecodePush(raw)
		if err != nil {
			var ve validation.Errors
			if !isValidationErrors(err, &ve) || len(ve) == 0 {
				t.Fatalf("error not in PocketBase's shape: %T %v", err, err)
			}
			if _, merr := json.Marshal(ve); merr != nil {
				t.Fatalf("error does not serialize: %v", merr)
			}
			return
		}
		if req.Client == "" || len(req.Client) > 100 || len(req.Mutations) > wire.MaxMutations {
			t.Fatalf("accepted a bad envelope: %q, %d mutations", req.Client, len(req.Mutations))
		}
		if _, err := tabletsync.ParseCursor(req.Cursor); err != nil {
			t.Fatalf("accepted a bad cursor %q", req.Cursor)
		}
		ids := map[string]bool{}
		for _, m := range req.Mutations {
			if m.ID == "" || ids[m.ID] {
				t.Fatalf("accepted mutation id %q twice or empty", m.ID)
			}
			ids[m.ID] = true
			if !tabletsync.Pushable(m.Collection) {
				t.Fatalf("accepted collection %q", m.Collection)
			}
			switch m.Op {
			case wire.OpCreate, wire.OpUpdate:
			case wire.OpDelete:
				if len(m.Data) > 0 {
					t.Fatal("accepted data on a delete")
				}
			default:
				t.Fatalf("accepted op %q", m.Op)
			}
			if m.Base < 0 || m.Record == "" {
				t.Fatalf("accepted base %d record %q", m.Base, m.Record)
			}
		}
	})
}

func isValidationErrors(err error, target *validation.Errors) bool {
	ve, ok := err.(validation.Errors)
	*target = ve
	return ok
}

// FuzzCursor checks the cursor decoder: no panics, one text per cursor, and
// every cursor it accepts round-trips.
//
//	go test -run '^$' -fuzz FuzzCursor ./tabletsync
func FuzzCursor(f *testing.F) {
	for _, c := range []tabletsync.Cursor{{Session: 1, Seq: 0}, {Session: 7, Seq: 123456}, {Session: 1 << 40, Seq: 1<<62 + 5},
		{Epoch: 1, Session: 1, Seq: 0, Mark: 0}, {Epoch: 1<<62 + 3, Session: 9, Seq: 500, Mark: 900}} {
		f.Add(c.String())
	}
	for _, s := range []string{"", "abc", "' OR 1=1 --", "AQGtAm2dccY", "AQGtAm2dccY=", "////", "\x00\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := tabletsync.ParseCursor(s)
		if err != nil {
			return
		}
		if s == "" {
			if c != (tabletsync.Cursor{}) {
				t.Fatalf("empty cursor decoded to %+v", c)
			}
			return
		}
		if c.Session <= 0 || c.Seq < 0 || c.Epoch < 0 || (c.Epoch != 0 && c.Mark < c.Seq) {
			t.Fatalf("accepted %q as %+v", s, c)
		}
		if c.String() != s {
			t.Fatalf("%q decodes to %+v which encodes to %q", s, c, c.String())
		}
		back, err := tabletsync.ParseCursor(c.String())
		if err != nil || back != c {
			t.Fatalf("round trip of %+v: %+v %v", c, back, err)
		}
	})
}
