// Package client is a reference tablet for the sync API: it keeps the
// records it holds, an outbox of offline edits and the pull cursor in a
// local SQLite file, pushes the outbox (retrying with the same mutation ids
// until each mutation has an answer) and pulls the changes. Tests,
// benchmarks and the tablet-sim command use it; a Client is for one
// goroutine at a time.
package client

import (
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the local store's driver (already PocketBase's)
)

// maxPush is how many mutations one push request carries (at most
// wire.MaxMutations; smaller pushes answer sooner on a slow network).
const maxPush = 200

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
	// Keep is how long applied mutations stay in the journal, to be pushed
	// again if the server is restored from a backup that lacks them
	// (default DefaultKeep).
	Keep time.Duration

	err error // the first failure of an accessor that returns no error (Err)
}

// Open opens (or creates) the tablet's store at path, talking to server.
func Open(path, server string) (*Client, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-256)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	fail := func(err error) (*Client, error) { return nil, errors.Join(err, db.Close()) }
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
		`CREATE TABLE IF NOT EXISTS notices (n INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL)`,
		// acked: when the server applied the mutation (unix ms; 0: waiting
		// for an answer); applied ones stay as the journal (journal.go)
		`ALTER TABLE outbox ADD COLUMN acked INTEGER NOT NULL DEFAULT 0`,
	} {
		if _, err := db.Exec(s); err != nil && !strings.Contains(err.Error(), "duplicate column name") {
			return fail(fmt.Errorf("open %s: %w", path, err))
		}
	}
	c := &Client{db: db, server: strings.TrimRight(server, "/"), HTTP: &http.Client{Timeout: 2 * time.Minute}, PageSize: 500, Keep: DefaultKeep}
	if c.id, err = c.meta("client"); err != nil {
		return fail(err)
	}
	if c.id == "" {
		c.id = "tab-" + NewID()
		if err := c.setMeta("client", c.id); err != nil {
			return fail(err)
		}
	}
	if c.token, err = c.meta("token"); err != nil {
		return fail(err)
	}
	return c, nil
}

// Err returns the first failure to read the local store met by Record,
// Pending or User, which answer without an error (nil when none).
func (c *Client) Err() error { return c.err }

// record keeps err for Err unless an earlier failure is kept.
func (c *Client) record(err error) {
	if err != nil && c.err == nil {
		c.err = err
	}
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

// Token returns the auth token the tablet sends.
func (c *Client) Token() string { return c.token }
