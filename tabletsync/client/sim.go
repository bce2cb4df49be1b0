package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
)

// SimOptions configures Simulate.
type SimOptions struct {
	Server    string
	Tablets   int
	Mutations int // per tablet: about five creates for each edit
	// Dir holds the tablets' stores (a temporary directory when empty).
	Dir string
	// Accounts are the users the tablets sign in as, round robin (grid
	// workers and community staff); Password is theirs.
	Accounts []string
	Password string
	// Communities, when set, spreads the tablets over that many simulated
	// communities (a district has dozens; the demo has four), each with a
	// grid worker account, created through the API as the superuser
	// (Superuser, SuperuserPassword) if missing. Accounts is then ignored.
	Communities                  int
	Superuser, SuperuserPassword string
	// Spread starts the tablets' syncs evenly over this window (0: all at once).
	Spread time.Duration
	// Out receives a progress line now and then (nil: quiet).
	Out io.Writer
}

// DefaultAccounts are the demo district's grid workers and community staff.
var DefaultAccounts = []string{
	"grid@yuetan.example", "grid2@yuetan.example", "staff@yuetan.example",
	"staff2@yuetan.example", "staff3@yuetan.example", "staff4@yuetan.example",
}

// SimReport is what a simulation did.
type SimReport struct {
	Tablets, Mutations                     int
	Applied, Duplicate, Conflict, Rejected int
	Pushes                                 []time.Duration // each push request's latency
	Elapsed                                time.Duration
}

// Percentile returns the p-th percentile (0-100) of the push latencies.
func (r SimReport) Percentile(p float64) time.Duration {
	if len(r.Pushes) == 0 {
		return 0
	}
	s := slices.Clone(r.Pushes)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

// Simulate runs N tablets through a day: in the morning each pulls
// everything it may see and collects issues offline (editing some of them);
// in the evening each syncs (push, then pull), the syncs spread over
// opts.Spread. It returns when every tablet's outbox has an answer for every
// mutation; the report's push latencies are the evening's.
func Simulate(ctx context.Context, opts SimOptions) (SimReport, error) {
	if opts.Tablets <= 0 {
		opts.Tablets = 1
	}
	if opts.Mutations <= 0 {
		opts.Mutations = 30
	}
	if len(opts.Accounts) == 0 {
		opts.Accounts = DefaultAccounts
	}
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "yuetan-tablets-*")
		if err != nil {
			return SimReport{}, err
		}
		defer os.RemoveAll(dir)
		opts.Dir = dir
	}
	hc := &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	if opts.Communities > 0 {
		emails, err := simAccounts(ctx, hc, opts)
		if err != nil {
			return SimReport{}, fmt.Errorf("simulated communities: %w", err)
		}
		opts.Accounts = emails
	}
	type account struct {
		token string
		user  map[string]any
	}
	accounts := map[string]account{}
	for _, email := range opts.Accounts {
		token, user, err := Login(ctx, hc, strings.TrimRight(opts.Server, "/"), email, opts.Password)
		if err != nil {
			return SimReport{}, err
		}
		accounts[email] = account{token, user}
	}

	var (
		mu       sync.Mutex
		report   = SimReport{Tablets: opts.Tablets}
		synced   atomic.Int64
		acked    atomic.Int64
		firstErr error
	)
	total := int64(opts.Tablets * opts.Mutations)
	done := make(chan struct{})
	if opts.Out != nil {
		go func() {
			t := time.NewTicker(500 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					mu.Lock()
					p99 := report.Percentile(99)
					mu.Unlock()
					fmt.Fprintf(opts.Out, "平板 %d/%d 已同步 · 变更已确认 %d/%d · 推送 p99 %v\n",
						synced.Load(), opts.Tablets, acked.Load(), total, p99.Round(time.Millisecond))
				}
			}
		}()
	}
	// the morning: every tablet pulls its scope, then collects offline
	tablets := make([]*Client, opts.Tablets)
	sem := make(chan struct{}, 32)
	var wg sync.WaitGroup
	for i := range tablets {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			acc := accounts[opts.Accounts[i%len(opts.Accounts)]]
			c, err := prepareTablet(ctx, opts, hc, i, acc.token, acc.user)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("tablet %d: %w", i, err)
			}
			tablets[i] = c
		}(i)
	}
	wg.Wait()
	closeAll := func() error {
		var errs []error
		for _, c := range tablets {
			if c != nil {
				errs = append(errs, c.Close())
			}
		}
		return errors.Join(errs...)
	}
	if firstErr != nil {
		close(done)
		return report, errors.Join(firstErr, closeAll())
	}
	// the evening: the tablets sync, spread over opts.Spread
	start := time.Now()
	for i, c := range tablets {
		wg.Add(1)
		go func(i int, c *Client) {
			defer wg.Done()
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Until(start.Add(opts.Spread * time.Duration(i) / time.Duration(opts.Tablets)))):
			}
			c.OnPush = func(d time.Duration, n int) {
				acked.Add(int64(n))
				mu.Lock()
				report.Pushes = append(report.Pushes, d)
				mu.Unlock()
			}
			rep, _, err := c.Sync(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil && firstErr == nil {
				firstErr = fmt.Errorf("tablet %d: %w", i, err)
			}
			report.Mutations += opts.Mutations
			report.Applied += rep.Applied
			report.Duplicate += rep.Duplicate
			report.Conflict += rep.Conflict
			report.Rejected += rep.Rejected
			synced.Add(1)
		}(i, c)
	}
	wg.Wait()
	close(done)
	report.Elapsed = time.Since(start)
	if opts.Out != nil {
		fmt.Fprintf(opts.Out, "完成：%d 台平板，%d 条变更（应用 %d，重复 %d，冲突 %d，拒绝 %d），用时 %v，推送 p50 %v p99 %v\n",
			report.Tablets, report.Mutations, report.Applied, report.Duplicate, report.Conflict, report.Rejected,
			report.Elapsed.Round(time.Millisecond), report.Percentile(50).Round(time.Millisecond), report.Percentile(99).Round(time.Millisecond))
	}
	return report, errors.Join(firstErr, closeAll())
}

// prepareTablet opens a tablet, pulls its scope and makes a day's edits
// offline.
func prepareTablet(ctx context.Context, opts SimOptions, hc *http.Client, i int, token string, user map[string]any) (*Client, error) {
	c, err := Open(filepath.Join(opts.Dir, fmt.Sprintf("tablet-%04d.db", i)), opts.Server)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Client, error) { return nil, errors.Join(err, c.Close()) }
	c.HTTP = hc
	if err := c.SetToken(token); err != nil {
		return fail(err)
	}
	if _, err := c.Pull(ctx); err != nil {
		return fail(fmt.Errorf("initial pull: %w", err))
	}
	community, _ := user["org"].(string)
	rng := rand.New(rand.NewPCG(uint64(i), 42))
	var mine []string
	for n := 0; n < opts.Mutations; n++ {
		if len(mine) > 0 && n%6 == 5 {
			id := mine[rng.IntN(len(mine))]
			if err := c.Update("issues", id, map[string]any{"description": fmt.Sprintf("第%d次走访补充：居民反映情况属实。", n)}); err != nil {
				return fail(err)
			}
			continue
		}
		id, err := c.Create("issues", map[string]any{
			"community": community, "kind": []string{"problem", "suggestion"}[rng.IntN(2)],
			"title":         simTitles[rng.IntN(len(simTitles))],
			"description":   "平板离线收集。",
			"address":       fmt.Sprintf("%d幢%d室", rng.IntN(30)+1, 101+rng.IntN(600)),
			"resident_name": "居民" + fmt.Sprint(rng.IntN(1000)),
			"source":        "door_to_door",
		})
		if err != nil {
			return fail(err)
		}
		mine = append(mine, id)
	}
	return c, nil
}

// simAccounts makes sure opts.Communities simulated communities exist,
// each with a grid worker, and returns their emails.
func simAccounts(ctx context.Context, hc *http.Client, opts SimOptions) ([]string, error) {
	server := strings.TrimRight(opts.Server, "/")
	token, err := superuserToken(ctx, hc, server, opts.Superuser, opts.SuperuserPassword)
	if err != nil {
		return nil, err
	}
	api := func(method, path string, body any, out any) error {
		raw, err := json.Marshal(body)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, method, server+path, bytes.NewReader(raw))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", token)
		res, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		data, err := io.ReadAll(res.Body)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		if res.StatusCode >= 300 {
			return fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, data)
		}
		if out != nil {
			return json.Unmarshal(data, out)
		}
		return nil
	}
	type list struct {
		Items []map[string]any `json:"items"`
	}
	var streets list
	if err := api(http.MethodGet, "/api/collections/orgs/records?perPage=100&filter="+url.QueryEscape(`kind = "street"`), nil, &streets); err != nil {
		return nil, err
	}
	if len(streets.Items) == 0 {
		return nil, fmt.Errorf("no street to put communities under")
	}
	var emails []string
	for n := 1; n <= opts.Communities; n++ {
		code := fmt.Sprintf("SIM-%03d", n)
		email := fmt.Sprintf("sim-grid-%03d@yuetan.example", n)
		var found list
		if err := api(http.MethodGet, "/api/collections/orgs/records?filter="+url.QueryEscape(`code = "`+code+`"`), nil, &found); err != nil {
			return nil, err
		}
		var org map[string]any
		if len(found.Items) > 0 {
			org = found.Items[0]
		} else if err := api(http.MethodPost, "/api/collections/orgs/records", map[string]any{
			"name": fmt.Sprintf("模拟社区%03d", n), "kind": "community", "code": code,
			"parent": streets.Items[n%len(streets.Items)]["id"],
		}, &org); err != nil {
			return nil, err
		}
		if err := api(http.MethodGet, "/api/collections/users/records?filter="+url.QueryEscape(`email = "`+email+`"`), nil, &found); err != nil {
			return nil, err
		}
		if len(found.Items) == 0 {
			if err := api(http.MethodPost, "/api/collections/users/records", map[string]any{
				"email": email, "password": opts.Password, "passwordConfirm": opts.Password, "verified": true,
				"name": fmt.Sprintf("模拟网格员%03d", n), "role": "grid_worker", "org": org["id"],
			}, nil); err != nil {
				return nil, err
			}
		}
		emails = append(emails, email)
	}
	return emails, nil
}

func superuserToken(ctx context.Context, hc *http.Client, server, email, password string) (string, error) {
	body, err := json.Marshal(map[string]string{"identity": email, "password": password})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, server+"/api/collections/_superusers/auth-with-password", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("superuser login %s: %d", email, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return "", fmt.Errorf("superuser login %s: %w", email, err)
	}
	return out.Token, nil
}

var simTitles = []string{
	"楼道照明损坏", "小区僵尸车占用车位", "低洼地积水", "垃圾投放点异味", "电动车楼道充电",
	"配电箱老化跳闸", "雨污管道堵塞", "老年食堂需求", "加装电梯意见", "停车秩序混乱",
}

// Command is the "tablet-sim" command: N simulated tablets collect issues
// offline, then sync against a running server, showing progress.
func Command() *cobra.Command {
	opts := SimOptions{Out: os.Stdout}
	var accounts string
	cmd := &cobra.Command{
		Use:   "tablet-sim",
		Short: "模拟多台平板离线收集问题后同步（演示与压测，需先启动服务器）",
		RunE: func(cmd *cobra.Command, args []string) error {
			if accounts != "" {
				opts.Accounts = strings.Split(accounts, ",")
			}
			_, err := Simulate(cmd.Context(), opts)
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Server, "server", "http://127.0.0.1:8090", "服务器地址")
	f.IntVar(&opts.Tablets, "tablets", 20, "平板数量")
	f.IntVar(&opts.Mutations, "mutations", 30, "每台平板离线产生的变更数")
	f.StringVar(&opts.Dir, "dir", "", "平板本地数据目录（默认临时目录）")
	f.StringVar(&accounts, "accounts", strings.Join(DefaultAccounts, ","), "登录账号，逗号分隔，轮流分配给平板")
	f.StringVar(&opts.Password, "password", "yuetan2026", "账号密码")
	f.DurationVar(&opts.Spread, "spread", 0, "各平板开始同步的时间分散在此时长内")
	f.IntVar(&opts.Communities, "communities", 0, "分散到多少个模拟社区（各建一个网格员账号，需超级管理员）；0 为使用 --accounts")
	f.StringVar(&opts.Superuser, "superuser", "admin@yuetan.example", "创建模拟社区所用的超级管理员")
	f.StringVar(&opts.SuperuserPassword, "superuser-password", "yuetan2026", "超级管理员密码")
	return cmd
}
