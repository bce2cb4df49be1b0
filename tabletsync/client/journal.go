package client

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"yuetan/tabletsync/wire"
)

// The journal: mutations the server applied stay in the outbox (acked > 0)
// with their files for Keep. A server restored from a backup has lost the
// ones applied after the backup; when it answers that the tablet's cursor
// is from a lineage it has lost (409 server_restored), the journal is
// queued again unchanged (same ids, same payloads): the restored mutation
// log answers those the backup has as duplicates, and the others are
// applied, once. What the journal no longer holds cannot be pushed again;
// the notice says so.

// DefaultKeep is how long the journal keeps applied mutations: a restore
// from a backup older than that loses, unrecoverably for this tablet, the
// ones applied before it (the notice tells the user). It must stay below
// the server's mutation log retention (tabletsync.DefaultRetention), which
// tells a re-pushed mutation it already has.
const DefaultKeep = 30 * 24 * time.Hour

// Notice is something the tablet's user must be told.
type Notice struct {
	At      time.Time
	Kind    string // NoticeRestored
	Message string
}

// NoticeRestored: the server was restored from a backup.
const NoticeRestored = "server_restored"

// Notices returns what the user must be told, oldest first.
func (c *Client) Notices() ([]Notice, error) {
	rows, err := c.db.Query("SELECT at, kind, message FROM notices ORDER BY n")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Notice
	for rows.Next() {
		var n Notice
		var at string
		if err := rows.Scan(&at, &n.Kind, &n.Message); err != nil {
			return nil, err
		}
		n.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Journal returns how many applied mutations the journal keeps.
func (c *Client) Journal() (int, error) {
	var n int
	err := c.db.QueryRow("SELECT COUNT(*) FROM outbox WHERE acked > 0").Scan(&n)
	return n, err
}

// restoredAnswer reports whether err is the server's 409 for a cursor of
// a lineage it has lost.
func restoredAnswer(err error) bool {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusConflict {
		return false
	}
	var body struct {
		Data map[string]struct {
			Code string `json:"code"`
		} `json:"data"`
	}
	return json.Unmarshal([]byte(ae.Body), &body) == nil && body.Data["restore"].Code == wire.CodeServerRestored
}

// cursorRefused reports whether err is a 400 about the cursor sent.
func cursorRefused(err error) bool {
	var ae *apiError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		return false
	}
	var body struct {
		Data map[string]any `json:"data"`
	}
	return json.Unmarshal([]byte(ae.Body), &body) == nil && body.Data["cursor"] != nil
}

// serverRestored queues the journal again (frozen: sent as it was), drops
// the cursor (the next pull is a full one) and leaves the user a notice.
func (c *Client) serverRestored() error {
	tx, err := c.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Exec("UPDATE outbox SET acked = 0, sent = 1 WHERE acked > 0")
	if err != nil {
		return err
	}
	n, _ := res.RowsAffected()
	if _, err := tx.Exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('cursor', '')"); err != nil {
		return err
	}
	msg := fmt.Sprintf("服务器已从备份恢复：本机重新上传了 %d 条此前已被服务器确认的修改（服务器已有的答复为重复，不会重复写入）。", n)
	var pruned sql.NullInt64
	if err := tx.QueryRow("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'journal_pruned'").Scan(&pruned); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if pruned.Valid && pruned.Int64 > 0 {
		keep := fmt.Sprintf("%d 天", int(c.keep()/(24*time.Hour)))
		if c.keep() < 24*time.Hour {
			keep = c.keep().String()
		}
		msg += fmt.Sprintf("本机只保留 %s内确认的修改：%s 之前确认的修改如被服务器丢失，无法自动补传，请与管理员核对。",
			keep, time.UnixMilli(pruned.Int64).Format("2006-01-02 15:04"))
	} else {
		msg += "本机保留了全部已确认的修改。"
	}
	if _, err := tx.Exec("INSERT INTO notices (at, kind, message) VALUES (?, ?, ?)",
		time.Now().UTC().Format(time.RFC3339Nano), NoticeRestored, msg); err != nil {
		return err
	}
	return tx.Commit()
}

func (c *Client) keep() time.Duration {
	if c.Keep <= 0 {
		return DefaultKeep
	}
	return c.Keep
}

// pruneJournal drops applied mutations older than Keep, remembering the
// newest one dropped (what a restore can no longer recover).
func (c *Client) pruneJournal(tx *sql.Tx, now int64) error {
	cutoff := now - c.keep().Milliseconds()
	var newest sql.NullInt64
	if err := tx.QueryRow("SELECT MAX(acked) FROM outbox WHERE acked > 0 AND acked < ?", cutoff).Scan(&newest); err != nil || !newest.Valid {
		return err
	}
	if _, err := tx.Exec("DELETE FROM files WHERE mutation IN (SELECT id FROM outbox WHERE acked > 0 AND acked < ?)", cutoff); err != nil {
		return err
	}
	if _, err := tx.Exec("DELETE FROM outbox WHERE acked > 0 AND acked < ?", cutoff); err != nil {
		return err
	}
	_, err := tx.Exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('journal_pruned', MAX(?, COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'journal_pruned'), 0)))", newest.Int64)
	return err
}

// dropMutation takes an answered mutation and its files out of the outbox.
func dropMutation(tx *sql.Tx, id string) error {
	if _, err := tx.Exec("DELETE FROM outbox WHERE id = ?", id); err != nil {
		return err
	}
	_, err := tx.Exec("DELETE FROM files WHERE mutation = ?", id)
	return err
}
