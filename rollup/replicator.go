package rollup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pocketbase/pocketbase/core"
)

// Options configure a Replicator.
type Options struct {
	Postgres string // the roll-up database's URL
	District string // the district's code in it (e.g. 330102)
	// Personal replicates residents' names, addresses and phones and users'
	// phones (Personal). Off by default: the city does not need them.
	Personal bool
	// Replace takes over a district code registered by another server (a
	// district rebuilt on a new data dir): its rows are resynchronised.
	Replace bool
	// BatchSize is the most feed rows one transaction applies (default 2000).
	BatchSize int
	// Interval is how often a following replicator looks for new changes
	// when nothing wakes it (default 1 s).
	Interval time.Duration
	// LagWarn is the lag past which the log says the replica falls behind
	// (default 30 s).
	LagWarn time.Duration
	// Progress receives a catch-up's progress lines (nil: the app's log).
	Progress io.Writer
	// Log receives the replicator's log lines (nil: the app's logger).
	Log *slog.Logger
	// OnBatch, when set, is called after each committed batch with the
	// feed times ("at") of the changes it applied (benchmarks measure lag).
	OnBatch func(committed time.Time, at []string)
}

// Defaults.
const (
	DefaultBatchSize = 2000
	MaxBatchSize     = 10000 // a batch's ids are one SQLite statement's parameters
	DefaultInterval  = time.Second
	DefaultLagWarn   = 30 * time.Second
	probeCount       = 8
)

// Errors a caller can tell apart.
var (
	ErrDistrictTaken = errors.New("区代码已被占用")
	ErrBadOptions    = errors.New("参数无效")
)

var districtCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Status is the replicator's state, as GET /api/replication shows it.
type Status struct {
	Enabled       bool    `json:"enabled"`
	District      string  `json:"district,omitempty"`
	Postgres      string  `json:"postgres,omitempty"` // password hidden
	State         string  `json:"state,omitempty"`    // starting, catching_up, following, error
	AppliedSeq    int64   `json:"applied_seq"`
	HeadSeq       int64   `json:"head_seq"`
	Pending       int64   `json:"pending"`
	LagSeconds    float64 `json:"lag_seconds"`
	Behind        bool    `json:"behind"`
	OldestPending string  `json:"oldest_pending,omitempty"`
	LastApplied   string  `json:"last_applied,omitempty"`
	Applied       int64   `json:"applied"` // changes applied since start
	Resyncs       int     `json:"resyncs"` // full resynchronisations since start
	Personal      bool    `json:"personal"`
	Error         string  `json:"error,omitempty"`
}

// Replicator applies one district's change feed to PostgreSQL. Connect,
// CatchUp, Run and Close belong to one goroutine; Status and Wake may be
// called from any (the route, the save hooks).
type Replicator struct {
	app  core.App
	opts Options
	src  *source
	wake chan struct{}

	conn     *pgx.Conn
	defs     map[string]*tableDef
	serverID string
	name     string

	mu     sync.Mutex
	status Status
	warned time.Time // last "falling behind" log line
}

// New checks opts and returns a replicator for app's district.
func New(app core.App, opts Options) (*Replicator, error) {
	if !districtCode.MatchString(opts.District) {
		return nil, fmt.Errorf("%w：区代码 %q 无效：应为 1 到 32 位字母、数字、- 或 _", ErrBadOptions, opts.District)
	}
	if opts.Postgres == "" {
		return nil, fmt.Errorf("%w：请指定 PostgreSQL 地址（--postgres postgres://用户@主机:端口/库）", ErrBadOptions)
	}
	if _, err := pgx.ParseConfig(opts.Postgres); err != nil {
		return nil, fmt.Errorf("%w：PostgreSQL 地址无效（%s）：%v", ErrBadOptions, Redact(opts.Postgres), err)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.BatchSize > MaxBatchSize {
		return nil, fmt.Errorf("%w：每批最多 %d 条变更", ErrBadOptions, MaxBatchSize)
	}
	if opts.Interval <= 0 {
		opts.Interval = DefaultInterval
	}
	if opts.LagWarn <= 0 {
		opts.LagWarn = DefaultLagWarn
	}
	if opts.Log == nil {
		opts.Log = app.Logger()
	}
	r := &Replicator{app: app, opts: opts, src: &source{app: app}, wake: make(chan struct{}, 1)}
	r.status = Status{Enabled: true, District: opts.District, Postgres: Redact(opts.Postgres), State: "starting", Personal: opts.Personal}
	return r, nil
}

// Redact hides the password of a PostgreSQL URL.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return "（无法解析的地址）"
	}
	return u.Redacted()
}

// Connect opens the roll-up database, applies the migrations and registers
// the district. Every refusal (a wrong URL, a newer schema, a code another
// server uses) happens before anything is written.
func (r *Replicator) Connect(ctx context.Context) error {
	r.Close()
	cfg, err := pgx.ParseConfig(r.opts.Postgres)
	if err != nil {
		return fmt.Errorf("%w：PostgreSQL 地址无效：%v", ErrBadOptions, err)
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["application_name"] = "yuetan-replicate " + r.opts.District
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		return fmt.Errorf("无法连接 PostgreSQL %s：%w", Redact(r.opts.Postgres), err)
	}
	db := stdlib.OpenDB(*cfg.Copy())
	err = Migrate(db)
	db.Close()
	if err != nil {
		conn.Close(ctx)
		return err
	}
	defs, err := loadTables(ctx, conn)
	if err != nil {
		conn.Close(ctx)
		return err
	}
	if r.serverID, err = r.src.serverID(); err != nil {
		conn.Close(ctx)
		return err
	}
	r.name = r.src.districtName()
	r.conn, r.defs = conn, defs
	if err := r.register(ctx); err != nil {
		r.Close()
		return err
	}
	return nil
}

// Close closes the PostgreSQL connection (Run reconnects).
func (r *Replicator) Close() {
	if r.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r.conn.Close(ctx)
		cancel()
		r.conn = nil
	}
}

// register records the district and this server in the roll-up database,
// refusing a code another server holds (unless Replace), and settles the
// personal-data mode: turned off, the personal columns are cleared at once;
// turned on, the district is resynchronised to fill them.
func (r *Replicator) register(ctx context.Context) error {
	return pgx.BeginFunc(ctx, r.conn, func(tx pgx.Tx) error {
		// a new code is ours; an existing one is read under lock (two
		// replicators registering at once both see the row)
		if _, err := tx.Exec(ctx, `INSERT INTO yuetan.districts (code, server_id, name, personal) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code) DO NOTHING`, r.opts.District, r.serverID, r.name, r.opts.Personal); err != nil {
			return fmt.Errorf("register district: %w", err)
		}
		var owner string
		var personal bool
		if err := tx.QueryRow(ctx, "SELECT server_id, personal FROM yuetan.districts WHERE code = $1 FOR UPDATE", r.opts.District).
			Scan(&owner, &personal); err != nil {
			return fmt.Errorf("read district: %w", err)
		}
		resync := ""
		if owner != r.serverID {
			if !r.opts.Replace {
				return r.taken(owner)
			}
			resync = "区代码由新的服务器接管（--replace）"
		}
		switch {
		case personal && !r.opts.Personal:
			if err := scrubPersonal(ctx, tx, r.opts.District); err != nil {
				return err
			}
		case !personal && r.opts.Personal && resync == "":
			resync = "开启了个人信息复制，重新同步以补齐"
		}
		if resync != "" {
			if err := r.resetDistrict(ctx, tx, resync); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "UPDATE yuetan.districts SET server_id = $2, name = $3, personal = $4 WHERE code = $1",
			r.opts.District, r.serverID, r.name, r.opts.Personal)
		return err
	})
}

func (r *Replicator) taken(owner string) error {
	return fmt.Errorf("%w：区代码 %s 已由另一台服务器（标识 %s）使用，本服务器标识为 %s；"+
		"若该区确已迁到本服务器（例如重建了数据目录），请加 --replace 确认，该区数据将重新完整同步",
		ErrDistrictTaken, r.opts.District, owner, r.serverID)
}

// scrubPersonal clears every personal column of a district.
func scrubPersonal(ctx context.Context, tx pgx.Tx, district string) error {
	for _, coll := range Collections {
		cols := Personal[coll]
		if len(cols) == 0 {
			continue
		}
		set := ""
		for i, c := range cols {
			if i > 0 {
				set += ", "
			}
			set += pgx.Identifier{c}.Sanitize() + " = NULL"
		}
		if _, err := tx.Exec(ctx, "UPDATE "+pgx.Identifier{pgSchema, coll}.Sanitize()+" SET "+set+" WHERE district = $1", district); err != nil {
			return fmt.Errorf("clear personal data of %s: %w", coll, err)
		}
	}
	return nil
}

// resetDistrict deletes a district's rows and rewinds its cursor, in tx:
// the next batches copy it again from the start. Other districts are not
// touched.
func (r *Replicator) resetDistrict(ctx context.Context, tx pgx.Tx, why string) error {
	for i := len(Collections) - 1; i >= 0; i-- {
		if _, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{pgSchema, Collections[i]}.Sanitize()+" WHERE district = $1", r.opts.District); err != nil {
			return fmt.Errorf("resync %s: %w", Collections[i], err)
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE yuetan.districts SET applied_seq = 0, probes = '[]', pruned_seen = 0, resyncs = resyncs + 1 WHERE code = $1", r.opts.District); err != nil {
		return err
	}
	r.opts.Log.Warn("roll-up: resynchronising the district", "district", r.opts.District, "reason", why)
	r.mu.Lock()
	r.status.Resyncs++
	r.status.AppliedSeq = 0
	r.mu.Unlock()
	return nil
}

// step applies one batch in one PostgreSQL transaction and returns how
// many feed rows it applied (0: caught up, unless reset says the district
// was rewound for a resync). The cursor row is locked first, so two
// replicators of one district never interleave.
func (r *Replicator) step(ctx context.Context) (applied int, reset bool, err error) {
	var at []string
	var head int64
	err = pgx.BeginFunc(ctx, r.conn, func(tx pgx.Tx) error {
		var owner string
		var after, prunedSeen int64
		var rawProbes []byte
		err := tx.QueryRow(ctx, "SELECT server_id, applied_seq, pruned_seen, probes FROM yuetan.districts WHERE code = $1 FOR UPDATE", r.opts.District).
			Scan(&owner, &after, &prunedSeen, &rawProbes)
		if err != nil {
			return fmt.Errorf("read cursor: %w", err)
		}
		if owner != r.serverID {
			return r.taken(owner)
		}
		var probes []probe
		_ = json.Unmarshal(rawProbes, &probes)
		b, err := r.src.read(ctx, r.defs, after, prunedSeen, r.opts.BatchSize, probes)
		if err != nil {
			return err
		}
		head = b.head
		if b.reset != "" {
			reset = true
			return r.resetDistrict(ctx, tx, b.reset)
		}
		if len(b.changes) == 0 {
			_, err := tx.Exec(ctx, "UPDATE yuetan.districts SET head_seq = $2 WHERE code = $1 AND head_seq <> $2", r.opts.District, b.head)
			return err
		}
		if err := r.apply(ctx, tx, b); err != nil {
			return err
		}
		last := b.changes[len(b.changes)-1]
		probes = newProbes(probes, b.changes)
		raw, _ := json.Marshal(probes)
		if after == 0 {
			prunedSeen = b.pruned // a copy from scratch begins
		}
		if _, err := tx.Exec(ctx, `UPDATE yuetan.districts SET applied_seq = $2, head_seq = $3, probes = $4, pruned_seen = $5,
			applied_at = now() WHERE code = $1`, r.opts.District, last.Seq, b.head, raw, prunedSeen); err != nil {
			return fmt.Errorf("write cursor: %w", err)
		}
		applied = len(b.changes)
		at = make([]string, len(b.changes))
		for i, c := range b.changes {
			at[i] = c.At
		}
		r.mu.Lock()
		r.status.AppliedSeq = last.Seq
		r.mu.Unlock()
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	now := time.Now()
	r.mu.Lock()
	r.status.HeadSeq = head
	r.status.Applied += int64(applied)
	if applied > 0 {
		r.status.LastApplied = now.UTC().Format(time.RFC3339)
	}
	r.mu.Unlock()
	if applied > 0 && r.opts.OnBatch != nil {
		r.opts.OnBatch(now, at)
	}
	return applied, reset, nil
}

// apply writes a batch: every record it names is deleted, then the
// upserted ones are copied in (COPY), so an upsert replaces and a
// tombstone deletes.
func (r *Replicator) apply(ctx context.Context, tx pgx.Tx, b *batch) error {
	ids := map[string][]string{}
	for _, c := range b.changes {
		if r.defs[c.Collection] != nil {
			ids[c.Collection] = append(ids[c.Collection], c.Record)
		}
	}
	for _, coll := range Collections {
		if len(ids[coll]) == 0 {
			continue
		}
		if _, err := tx.Exec(ctx, "DELETE FROM "+pgx.Identifier{pgSchema, coll}.Sanitize()+" WHERE district = $1 AND id = ANY($2)",
			r.opts.District, ids[coll]); err != nil {
			return fmt.Errorf("apply %s: %w", coll, err)
		}
		rows := b.rows[coll]
		if len(rows) == 0 {
			continue
		}
		d := r.defs[coll]
		out := make([][]any, len(rows))
		for i, raw := range rows {
			row, err := d.row(r.opts.District, b.seqs[coll][i], raw, r.opts.Personal)
			if err != nil {
				return err
			}
			out[i] = row
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{pgSchema, coll}, d.columnNames(), pgx.CopyFromRows(out)); err != nil {
			return fmt.Errorf("copy %s: %w", coll, err)
		}
	}
	return nil
}

// newProbes keeps the last probeCount distinct records applied.
func newProbes(old []probe, cs []change) []probe {
	var out []probe
	seen := map[string]bool{}
	for i := len(cs) - 1; i >= 0 && len(out) < probeCount; i-- {
		k := cs[i].Collection + "/" + cs[i].Record
		if !seen[k] {
			seen[k] = true
			out = append(out, probe{C: cs[i].Collection, R: cs[i].Record, S: cs[i].Seq})
		}
	}
	for _, p := range old {
		if len(out) >= probeCount {
			break
		}
		if k := p.C + "/" + p.R; !seen[k] {
			seen[k] = true
			out = append(out, p)
		}
	}
	return out
}
