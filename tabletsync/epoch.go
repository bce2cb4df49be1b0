package tabletsync

import (
	"crypto/rand"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/tabletsync/wire"
)

// Epochs make sync safe across a restore from a backup. Every start of
// the server begins an epoch: a random id and the feed position it began
// at (_sync_epochs). A cursor carries the epoch it was issued in and its
// mark, the highest feed position its holder has been told of (pulled, or
// the seq of one of its acknowledged mutations). A database restored from a
// backup knows the epochs up to the one the backup was taken in, and that
// one only up to the backup's feed position: its next start begins a new
// epoch there. So a cursor is from a lineage this server has lost when its
// epoch is unknown here, or its mark lies beyond where its epoch ended
// here (the next epoch's start) — whatever way the data dir was restored
// (PocketBase's restore, which restarts the server, or files copied while
// it was stopped). Such a tablet is told to start over, and to push again
// the acknowledged mutations it keeps (the mutation log restored with the
// data answers those the backup has as duplicates).
//
// Seqs after a restore would reuse positions the lost lineage handed out.
// PocketBase's restore tells the restarted process how far the feed had
// gone (restoreFloorEnv), and the feed continues above it; a restore by
// copying files is learned from the first lost cursor, and the feed moves
// above its mark then. Above the lost positions, a re-pushed mutation's
// base keeps its meaning: what changed after the restore is newer than it.

// restoreFloorEnv carries the feed's last seq from the process a
// PocketBase restore replaces to the one it starts (the restart keeps the
// environment; the data dir is replaced).
const restoreFloorEnv = "YUETAN_SYNC_RESTORE_FLOOR"

// maxRaise bounds how far one lost cursor moves the feed (a cursor is not
// signed: a forged one must not exhaust the seq space).
const maxRaise = 1 << 24

// epochs is the app's current epoch, begun on first need.
type epochs struct {
	mu      sync.Mutex
	current int64
}

// bindEpochs begins an epoch when the server starts (after the migrations,
// before it serves) and carries the feed's position over a PocketBase
// restore.
func bindEpochs(app core.App, s *service) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if _, err := s.epochs.begin(se.App); err != nil {
			return fmt.Errorf("sync epoch: %w", err)
		}
		return se.Next()
	})
	app.OnBackupRestore().BindFunc(func(e *core.BackupEvent) error {
		hi, err := feedMax(e.App)
		if err != nil {
			return err
		}
		os.Setenv(restoreFloorEnv, strconv.FormatInt(hi, 10))
		if err := e.Next(); err != nil {
			os.Unsetenv(restoreFloorEnv) // not restored: this process goes on
			return err
		}
		return nil
	})
}

// begin starts a new epoch at the feed's current position (once per
// process: a later call returns it).
func (ep *epochs) begin(app core.App) (int64, error) {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ep.current != 0 {
		return ep.current, nil
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, err
	}
	id := int64(binary.BigEndian.Uint64(b[:])>>1) | 1 // positive, never 0
	err := app.RunInTransaction(func(tx core.App) error {
		hi, err := feedMax(tx)
		if err != nil {
			return err
		}
		if _, err := tx.DB().NewQuery("INSERT INTO " + tableEpochs + " (epoch, start) VALUES ({:e}, {:s})").
			Bind(dbx.Params{"e": id, "s": hi}).Execute(); err != nil {
			return err
		}
		if floor, err := strconv.ParseInt(os.Getenv(restoreFloorEnv), 10, 64); err == nil && floor > hi {
			// restored by PocketBase: new seqs go above what the replaced data handed out
			app.Logger().Info("sync: restored from a backup; the feed continues above the replaced data's", "restored", hi, "replaced", floor)
			return raiseFeed(tx, floor)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	os.Unsetenv(restoreFloorEnv)
	ep.current = id
	return id, nil
}

// epoch returns the app's current epoch.
func (s *service) epoch() (int64, error) { return s.epochs.begin(s.app) }

// feedMax is the last seq the feed has handed out.
func feedMax(app core.App) (int64, error) {
	var hi int64
	err := app.DB().NewQuery("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '" + tableChanges + "'), 0)").Row(&hi)
	if err != nil {
		return 0, fmt.Errorf("read feed: %w", err)
	}
	return hi, nil
}

// raiseFeed makes the feed's next seq follow at least to.
func raiseFeed(app core.App, to int64) error {
	_, err := app.DB().NewQuery("UPDATE sqlite_sequence SET seq = MAX(seq, {:to}) WHERE name = '" + tableChanges + "'").
		Bind(dbx.Params{"to": to}).Execute()
	if err != nil {
		return fmt.Errorf("raise feed: %w", err)
	}
	return nil
}

// errLost is the 409 for a cursor of a lineage this server has lost.
func errLost() error {
	msg := "服务器已从备份恢复，本机的同步位置晚于服务器现有的数据：将重新完整同步，并重新上传本机保留的已提交修改。"
	return router.NewApiError(http.StatusConflict, msg, validation.Errors{
		"cursor":  validation.NewError(wire.CodeResync, msg),
		"restore": validation.NewError(wire.CodeServerRestored, msg),
	})
}

// checkLineage accepts a cursor whose positions this server's feed still
// has: its epoch is known here and its mark is not beyond where that epoch
// ended (nor beyond the feed). A cursor of a lost lineage raises the feed
// above its mark (see above) and is answered errLost; a cursor issued
// before epochs existed (epoch 0) must start over.
func checkLineage(app core.App, cur Cursor) error {
	if cur.Epoch == 0 {
		return resync("服务器已升级同步协议，请重新完整同步。")
	}
	var row struct {
		Start int64         `db:"start"`
		End   sql.NullInt64 `db:"end"`
	}
	err := app.DB().NewQuery("SELECT e.start, (SELECT n.start FROM " + tableEpochs + " n WHERE n.n > e.n ORDER BY n.n LIMIT 1) AS end FROM " +
		tableEpochs + " e WHERE e.epoch = {:e}").Bind(dbx.Params{"e": cur.Epoch}).One(&row)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read epochs: %w", err)
	}
	hi, herr := feedMax(app)
	if herr != nil {
		return herr
	}
	known := err == nil && (!row.End.Valid || cur.Mark <= row.End.Int64) && cur.Mark <= hi
	if known {
		return nil
	}
	if cur.Mark > hi {
		if err := raiseFeed(app, min(cur.Mark, hi+maxRaise)); err != nil {
			return err
		}
	}
	app.Logger().Warn("sync: a cursor from a lineage this server has lost (restored from a backup?)", "epoch", cur.Epoch, "mark", cur.Mark, "feed", hi)
	return errLost()
}

// pushCursor checks the cursor a push carries (its mutations' bases are
// positions of its lineage): a lost lineage's is errLost, and nothing is
// written. It returns the cursor to answer with once the push's seqs are
// known (answerCursor); a push without one (or with one of before
// epochs) is answered with what it sent.
func (s *service) pushCursor(app core.App, raw string) (Cursor, error) {
	cur, err := ParseCursor(raw)
	if err != nil || cur.Epoch == 0 {
		return Cursor{}, nil // DecodePush checked the text
	}
	if err := checkLineage(app, cur); err != nil {
		return Cursor{}, err
	}
	if cur.Epoch, err = s.epoch(); err != nil {
		return Cursor{}, err
	}
	return cur, nil
}

// answerCursor is the push's cursor issued again with its mark raised to
// the seqs its mutations got: a restore that loses one of them finds the
// tablet's next cursor beyond where the restored feed ends.
func answerCursor(cur Cursor, sent string, results []result) string {
	if cur.Epoch == 0 {
		return sent
	}
	for _, r := range results {
		cur.Mark = max(cur.Mark, r.Seq)
	}
	return cur.String()
}
