// Package client is a reference tablet for the sync API: it keeps the
// records it holds, an outbox of offline edits and the pull cursor in a
// local SQLite file, pushes the outbox (retrying with the same mutation ids
// until each mutation has an answer) and pulls the changes. Tests,
// benchmarks and the tablet-sim command use it; a Client is for one
// goroutine at a time.
package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the local store's driver (already PocketBase's)
)

// Protocol constants shared with the server (package yuetan/tabletsync; not
// imported, so the client stays a plain HTTP client).
const (
	SchemaVersion = 1
	schemaHeader  = "X-Sync-Schema"
	maxPush       = 200 // mutations per push request
)

// Mutation outcomes (see the server's Result).
const (
	Applied   = "applied"
	Duplicate = "duplicate"
	Conflict  = "conflict"
	Rejected  = "rejected"
)

// ErrUpgrade is returned when the server no longer serves this client's
// protocol version (426): the app must be updated; the outbox is kept.
var ErrUpgrade = errors.New("client too old for the server (426)")

// File is a photo or signature image attached to a create or update.
type File struct {
	Field, Name string
	Data        []byte
}

// Client is one tablet.
type Client struct {
	db     *sql.DB
	server string
	token  string
	id     string // device id

	// HTTP is the client the tablet talks through.
	HTTP *http.Client
	// PageSize is the pull page size (default 500).
	PageSize int
	// Retry is how long Push and Pull keep retrying a failing request
	// (network errors, 5xx) before giving up; 0 means until ctx ends.
	Retry time.Duration
	// OnPush, when set, is told how long each push request took.
	OnPush func(d time.Duration, mutations int)
}

// Open opens (or creates) the tablet's store at path, talking to server.
func Open(path, server string) (*Client, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-256)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	for _, s := range []string{
		`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS records (collection TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL DEFAULT 0,
			data TEXT NOT NULL, PRIMARY KEY (collection, id)) WITHOUT ROWID`,
		`CREATE TABLE IF NOT EXISTS outbox (n INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
			collection TEXT NOT NULL, op TEXT NOT NULL, record TEXT NOT NULL, base INTEGER NOT NULL DEFAULT 0,
			data TEXT NOT NULL DEFAULT '{}', sent INTEGER NOT NULL DEFAULT 0)`,
		`CREATE TABLE IF NOT EXISTS files (mutation TEXT NOT NULL, field TEXT NOT NULL, name TEXT NOT NULL, content BLOB NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS outcomes (id TEXT PRIMARY KEY, collection TEXT NOT NULL, record TEXT NOT NULL, op TEXT NOT NULL,
			status TEXT NOT NULL, outcome TEXT NOT NULL DEFAULT '', seq INTEGER NOT NULL DEFAULT 0, error TEXT NOT NULL DEFAULT '')`,
	} {
		if _, err := db.Exec(s); err != nil {
			db.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	c := &Client{db: db, server: strings.TrimRight(server, "/"), HTTP: &http.Client{Timeout: 2 * time.Minute}, PageSize: 500}
	if c.id, err = c.meta("client"); err != nil {
		db.Close()
		return nil, err
	}
	if c.id == "" {
		c.id = "tab-" + NewID()
		if err := c.setMeta("client", c.id); err != nil {
			db.Close()
			return nil, err
		}
	}
	c.token, _ = c.meta("token")
	return c, nil
}

// Close closes the local store.
func (c *Client) Close() error { return c.db.Close() }

// ID returns the device id the tablet pushes as.
func (c *Client) ID() string { return c.id }

// SetServer points the tablet at another server address.
func (c *Client) SetServer(server string) { c.server = strings.TrimRight(server, "/") }

// SetToken sets the auth token (kept in the store).
func (c *Client) SetToken(token string) error {
	c.token = token
	return c.setMeta("token", token)
}

// Login signs in with a password and keeps the token and the user record.
func (c *Client) Login(ctx context.Context, email, password string) (map[string]any, error) {
	token, user, err := Login(ctx, c.HTTP, c.server, email, password)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(user)
	if err := c.setMeta("user", string(raw)); err != nil {
		return nil, err
	}
	return user, c.SetToken(token)
}

// Login signs email in on server and returns the token and user record.
func Login(ctx context.Context, hc *http.Client, server, email, password string) (string, map[string]any, error) {
	body, _ := json.Marshal(map[string]string{"identity": email, "password": password})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, server+"/api/collections/users/auth-with-password", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer res.Body.Close()
	var out struct {
		Token  string         `json:"token"`
		Record map[string]any `json:"record"`
	}
	if res.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(res.Body)
		return "", nil, fmt.Errorf("login %s: %d %s", email, res.StatusCode, raw)
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return "", nil, err
	}
	return out.Token, out.Record, nil
}

// User returns the signed-in user's record as of the last Login.
func (c *Client) User() map[string]any {
	raw, _ := c.meta("user")
	var u map[string]any
	json.Unmarshal([]byte(raw), &u)
	return u
}

func (c *Client) meta(key string) (string, error) {
	var v string
	err := c.db.QueryRow("SELECT value FROM meta WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

func (c *Client) setMeta(key, value string) error {
	_, err := c.db.Exec("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", key, value)
	return err
}

// NewID returns a PocketBase-style id (15 of [a-z0-9]) made on the tablet.
func NewID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// ---- local edits ------------------------------------------------------------

// Create records a new record offline and returns its id.
func (c *Client) Create(collection string, data map[string]any, files ...File) (string, error) {
	id := NewID()
	return id, c.enqueue(collection, "create", id, data, files)
}

// Update records an edit offline (only the fields in data).
func (c *Client) Update(collection, id string, data map[string]any, files ...File) error {
	return c.enqueue(collection, "update", id, data, files)
}

// Delete records a delete offline.
func (c *Client) Delete(collection, id string) error {
	return c.enqueue(collection, "delete", id, nil, nil)
}

func (c *Client) enqueue(collection, op, id string, data map[string]any, files []File) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var base int64
	var local map[string]any
	var raw string
	switch err := tx.QueryRow("SELECT seq, data FROM records WHERE collection = ? AND id = ?", collection, id).Scan(&base, &raw); {
	case errors.Is(err, sql.ErrNoRows):
		local = map[string]any{}
	case err != nil:
		return err
	default:
		json.Unmarshal([]byte(raw), &local)
	}
	if data == nil {
		data = map[string]any{}
	}
	payload, _ := json.Marshal(data)
	mid := "m-" + NewID()
	if _, err := tx.Exec("INSERT INTO outbox (id, collection, op, record, base, data) VALUES (?, ?, ?, ?, ?, ?)",
		mid, collection, op, id, base, string(payload)); err != nil {
		return err
	}
	for _, f := range files {
		if _, err := tx.Exec("INSERT INTO files (mutation, field, name, content) VALUES (?, ?, ?, ?)", mid, f.Field, f.Name, f.Data); err != nil {
			return err
		}
	}
	// the tablet shows its own edit at once
	if op == "delete" {
		if _, err := tx.Exec("DELETE FROM records WHERE collection = ? AND id = ?", collection, id); err != nil {
			return err
		}
	} else {
		local["id"] = id
		for k, v := range data {
			local[k] = v
		}
		merged, _ := json.Marshal(local)
		if _, err := tx.Exec("INSERT INTO records (collection, id, seq, data) VALUES (?, ?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET data = excluded.data",
			collection, id, base, string(merged)); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// ---- reading the local store ------------------------------------------------

// Record returns the tablet's copy of a record.
func (c *Client) Record(collection, id string) (map[string]any, int64, bool) {
	var raw string
	var seq int64
	if err := c.db.QueryRow("SELECT data, seq FROM records WHERE collection = ? AND id = ?", collection, id).Scan(&raw, &seq); err != nil {
		return nil, 0, false
	}
	var m map[string]any
	json.Unmarshal([]byte(raw), &m)
	return m, seq, true
}

// Records returns the ids the tablet holds of collection.
func (c *Client) Records(collection string) ([]string, error) {
	rows, err := c.db.Query("SELECT id FROM records WHERE collection = ? ORDER BY id", collection)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Pending returns how many mutations wait for an answer.
func (c *Client) Pending() int {
	var n int
	c.db.QueryRow("SELECT COUNT(*) FROM outbox").Scan(&n)
	return n
}

// Outcome is the server's answer to one of the tablet's mutations.
type Outcome struct {
	ID, Collection, Record, Op string
	Status, Outcome            string // Outcome: the first answer, for a duplicate
	Seq                        int64
	Error                      string
}

// Outcomes returns every answered mutation, in no particular order.
func (c *Client) Outcomes() ([]Outcome, error) {
	rows, err := c.db.Query("SELECT id, collection, record, op, status, outcome, seq, error FROM outcomes")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Outcome
	for rows.Next() {
		var o Outcome
		if err := rows.Scan(&o.ID, &o.Collection, &o.Record, &o.Op, &o.Status, &o.Outcome, &o.Seq, &o.Error); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// ---- HTTP ---------------------------------------------------------------------

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("server answered %d: %.300s", e.Status, e.Body) }

// retryable: the network failed or the server did (5xx); the request may
// or may not have been applied, so it is sent again unchanged.
func retryable(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status >= 500 || ae.Status == http.StatusTooManyRequests
	}
	return !errors.Is(err, ErrUpgrade) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// send does one request with the schema header and the token.
func (c *Client) send(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set(schemaHeader, strconv.Itoa(SchemaVersion))
	if c.token != "" {
		req.Header.Set("Authorization", c.token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	switch {
	case res.StatusCode == http.StatusUpgradeRequired:
		return ErrUpgrade
	case res.StatusCode != http.StatusOK:
		return &apiError{Status: res.StatusCode, Body: string(raw)}
	}
	return json.Unmarshal(raw, out)
}

// withRetry repeats fn while it fails in a retryable way.
func (c *Client) withRetry(ctx context.Context, fn func() error) error {
	var deadline time.Time
	if c.Retry > 0 {
		deadline = time.Now().Add(c.Retry)
	}
	wait := 100 * time.Millisecond
	for {
		err := fn()
		if err == nil || !retryable(err) || ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline)) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 2*time.Second)
	}
}

// ---- push -------------------------------------------------------------------------

type outMutation struct {
	n          int64
	ID         string         `json:"id"`
	Collection string         `json:"collection"`
	Op         string         `json:"op"`
	Record     string         `json:"record"`
	Base       int64          `json:"base"`
	Data       map[string]any `json:"data,omitempty"`
	files      []File
}

type result struct {
	ID      string         `json:"id"`
	Status  string         `json:"status"`
	Outcome string         `json:"outcome"`
	Seq     int64          `json:"seq"`
	Record  map[string]any `json:"record"`
	Error   *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// PushStats counts what a Push did.
type PushStats struct {
	Requests                               int
	Applied, Duplicate, Conflict, Rejected int
}

// Push sends the outbox until it is empty, in order, up to maxPush
// mutations per request. A request that fails in transit is sent again
// unchanged (the server answers what it already did as duplicates).
func (c *Client) Push(ctx context.Context) (PushStats, error) {
	var st PushStats
	for {
		batch, err := c.nextBatch()
		if err != nil || len(batch) == 0 {
			return st, err
		}
		body, ctype, err := encodePush(c.id, batch)
		if err != nil {
			return st, err
		}
		var reply struct {
			Results []result `json:"results"`
		}
		err = c.withRetry(ctx, func() error {
			start := time.Now()
			err := c.send(ctx, http.MethodPost, "/api/sync/push", ctype, body, &reply)
			if err == nil && c.OnPush != nil {
				c.OnPush(time.Since(start), len(batch))
			}
			return err
		})
		st.Requests++
		if err != nil {
			return st, err
		}
		if len(reply.Results) != len(batch) {
			return st, fmt.Errorf("push: %d results for %d mutations", len(reply.Results), len(batch))
		}
		if err := c.acknowledge(batch, reply.Results, &st); err != nil {
			return st, err
		}
	}
}

// nextBatch reads the oldest outbox entries and freezes them: once sent, a
// mutation is only ever sent again unchanged.
func (c *Client) nextBatch() ([]outMutation, error) {
	rows, err := c.db.Query("SELECT n, id, collection, op, record, base, data FROM outbox ORDER BY n LIMIT ?", maxPush)
	if err != nil {
		return nil, err
	}
	var batch []outMutation
	for rows.Next() {
		var m outMutation
		var raw string
		if err := rows.Scan(&m.n, &m.ID, &m.Collection, &m.Op, &m.Record, &m.Base, &raw); err != nil {
			rows.Close()
			return nil, err
		}
		json.Unmarshal([]byte(raw), &m.Data)
		batch = append(batch, m)
	}
	rows.Close()
	for i := range batch {
		frows, err := c.db.Query("SELECT field, name, content FROM files WHERE mutation = ?", batch[i].ID)
		if err != nil {
			return nil, err
		}
		for frows.Next() {
			var f File
			frows.Scan(&f.Field, &f.Name, &f.Data)
			batch[i].files = append(batch[i].files, f)
		}
		frows.Close()
	}
	if len(batch) > 0 {
		if _, err := c.db.Exec("UPDATE outbox SET sent = 1 WHERE n <= ?", batch[len(batch)-1].n); err != nil {
			return nil, err
		}
	}
	return batch, nil
}

func encodePush(client string, batch []outMutation) ([]byte, string, error) {
	payload, err := json.Marshal(map[string]any{"client": client, "mutations": batch})
	if err != nil {
		return nil, "", err
	}
	hasFiles := false
	for _, m := range batch {
		hasFiles = hasFiles || len(m.files) > 0
	}
	if !hasFiles {
		return payload, "application/json", nil
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("@jsonPayload", string(payload)); err != nil {
		return nil, "", err
	}
	for _, m := range batch {
		for _, f := range m.files {
			part, err := w.CreateFormFile(m.ID+"."+f.Field, f.Name)
			if err != nil {
				return nil, "", err
			}
			part.Write(f.Data)
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// acknowledge stores the answers, takes the mutations out of the outbox and
// updates the local records. Queued edits keep their base: the server
// tells the tablet's own earlier writes from other people's.
func (c *Client) acknowledge(batch []outMutation, results []result, st *PushStats) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i, r := range results {
		m := batch[i]
		if r.ID != m.ID {
			return fmt.Errorf("push: result %d is for %s, not %s", i, r.ID, m.ID)
		}
		status := r.Status
		switch status {
		case Applied:
			st.Applied++
		case Duplicate:
			st.Duplicate++
			status = r.Outcome
		case Conflict:
			st.Conflict++
		case Rejected:
			st.Rejected++
		}
		msg := ""
		if r.Error != nil {
			msg = r.Error.Message
		}
		if _, err := tx.Exec("INSERT OR REPLACE INTO outcomes (id, collection, record, op, status, outcome, seq, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			m.ID, m.Collection, m.Record, m.Op, r.Status, r.Outcome, r.Seq, msg); err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM outbox WHERE id = ?", m.ID); err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM files WHERE mutation = ?", m.ID); err != nil {
			return err
		}
		switch {
		case r.Record != nil && (status == Applied || status == Conflict):
			// the server's copy, with the tablet's edits still queued on top
			if err := putRecord(tx, m.Collection, m.Record, r.Seq, r.Record); err != nil {
				return err
			}
		case m.Op == "delete" && status == Applied:
			if _, err := tx.Exec("DELETE FROM records WHERE collection = ? AND id = ?", m.Collection, m.Record); err != nil {
				return err
			}
		case m.Op == "create" && status == Rejected:
			if _, err := tx.Exec("DELETE FROM records WHERE collection = ? AND id = ?", m.Collection, m.Record); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// putRecord stores the server's record and replays the queued local edits.
func putRecord(tx *sql.Tx, collection, id string, seq int64, rec map[string]any) error {
	rows, err := tx.Query("SELECT op, data FROM outbox WHERE collection = ? AND record = ? ORDER BY n", collection, id)
	if err != nil {
		return err
	}
	deleted := false
	for rows.Next() {
		var op, raw string
		rows.Scan(&op, &raw)
		var data map[string]any
		json.Unmarshal([]byte(raw), &data)
		if op == "delete" {
			deleted = true
		}
		for k, v := range data {
			rec[k] = v
		}
	}
	rows.Close()
	if deleted {
		return nil
	}
	raw, _ := json.Marshal(rec)
	_, err = tx.Exec("INSERT OR REPLACE INTO records (collection, id, seq, data) VALUES (?, ?, ?, ?)", collection, id, seq, string(raw))
	return err
}

// ---- pull -------------------------------------------------------------------------

type change struct {
	Seq        int64          `json:"seq"`
	Collection string         `json:"collection"`
	ID         string         `json:"id"`
	Op         string         `json:"op"`
	Record     map[string]any `json:"record"`
}

// PullStats counts what a Pull did.
type PullStats struct {
	Pages, Upserts, Deletes int
	Resynced                bool
}

// Pull fetches changes until the server has no more. When the server asks
// for a full resync (409: the user's role or org changed, or the session
// expired), the tablet drops what it holds and starts over; its outbox stays.
func (c *Client) Pull(ctx context.Context) (PullStats, error) {
	var st PullStats
	cursor, err := c.meta("cursor")
	if err != nil {
		return st, err
	}
	for {
		q := url.Values{"cursor": {cursor}, "limit": {strconv.Itoa(c.PageSize)}}
		if cursor == "" {
			q.Set("client", c.id)
		}
		var page struct {
			Changes []change `json:"changes"`
			Cursor  string   `json:"cursor"`
			More    bool     `json:"more"`
		}
		err := c.withRetry(ctx, func() error {
			return c.send(ctx, http.MethodGet, "/api/sync/pull?"+q.Encode(), "", nil, &page)
		})
		var ae *apiError
		if errors.As(err, &ae) && ae.Status == http.StatusConflict && !st.Resynced {
			if _, err := c.db.Exec("DELETE FROM records"); err != nil {
				return st, err
			}
			cursor, st.Resynced = "", true
			continue
		}
		if err != nil {
			return st, err
		}
		if err := c.applyPage(page.Changes, page.Cursor, &st); err != nil {
			return st, err
		}
		st.Pages++
		cursor = page.Cursor
		if !page.More {
			return st, nil
		}
	}
}

func (c *Client) applyPage(changes []change, cursor string, st *PullStats) error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, ch := range changes {
		if ch.Op == "delete" {
			st.Deletes++
			if _, err := tx.Exec("DELETE FROM records WHERE collection = ? AND id = ?", ch.Collection, ch.ID); err != nil {
				return err
			}
			continue
		}
		st.Upserts++
		if err := putRecord(tx, ch.Collection, ch.ID, ch.Seq, ch.Record); err != nil {
			return err
		}
	}
	if _, err := tx.Exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('cursor', ?)", cursor); err != nil {
		return err
	}
	return tx.Commit()
}

// Sync pushes the outbox, then pulls.
func (c *Client) Sync(ctx context.Context) (PushStats, PullStats, error) {
	ps, err := c.Push(ctx)
	if err != nil {
		return ps, PullStats{}, err
	}
	pl, err := c.Pull(ctx)
	return ps, pl, err
}
