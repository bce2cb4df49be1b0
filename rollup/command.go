package rollup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"yuetan/forms"
	"yuetan/internal/cli"
)

// Commands returns `yuetan replicate` and `yuetan city-bulletin`.
// PocketBase's Execute discards a command's error, so on failure they print
// it, close the app and end the process with status 1.
func Commands(app core.App) []*cobra.Command {
	exit := cli.Exit(app)
	return []*cobra.Command{NewReplicateCommand(app, exit), NewCityBulletinCommand(exit)}
}

// NewReplicateCommand builds `yuetan replicate`.
func NewReplicateCommand(app core.App, exit func(int)) *cobra.Command {
	var opts Options
	var once bool
	cmd := &cobra.Command{
		Use:   "replicate",
		Short: "把本区的数据变更持续复制到市、省汇总用的 PostgreSQL",
		Long: "读取本区数据目录（--dir）的变更流，按 (区代码, id) 写入 PostgreSQL 的 yuetan 模式；" +
			"首次运行建表（golang-migrate 迁移），之后只复制新的变更。居民和用户的姓名、电话等个人信息默认不复制。" +
			"--once 追平后退出（适合 cron）；否则持续跟随，Ctrl-C 结束。",
		Example: "  yuetan replicate --postgres postgres://yuetan@10.0.0.5/city --district 330102\n" +
			"  yuetan replicate --postgres postgres://yuetan@10.0.0.5/city --district 330102 --once",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: cli.RunE(exit, func(cmd *cobra.Command) error {
			if opts.Postgres == "" {
				opts.Postgres = os.Getenv(EnvPostgres)
			}
			if opts.District == "" {
				opts.District = os.Getenv(EnvDistrict)
			}
			opts.Progress = cmd.OutOrStdout()
			return runReplicate(app, cmd, opts, once)
		}),
	}
	f := cmd.Flags()
	f.StringVar(&opts.Postgres, "postgres", "", "汇总数据库地址，如 postgres://用户@主机:5432/库（默认取 "+EnvPostgres+"）")
	f.StringVar(&opts.District, "district", "", "本区在汇总库中的区代码，如 330102（默认取 "+EnvDistrict+"）")
	f.BoolVar(&once, "once", false, "追平后退出（供 cron 定时运行）")
	f.BoolVar(&opts.Personal, "personal", false, "同时复制居民姓名、住址、电话和用户电话（默认不复制）")
	f.BoolVar(&opts.Replace, "replace", false, "确认由本服务器接管已被另一台服务器使用的区代码（该区数据重新完整同步）")
	f.IntVar(&opts.BatchSize, "batch", DefaultBatchSize, "每个事务最多复制的变更数")
	f.DurationVar(&opts.Interval, "interval", DefaultInterval, "持续跟随时检查新变更的间隔")
	f.DurationVar(&opts.LagWarn, "lag-warn", DefaultLagWarn, "延迟超过此值时在日志中告警")
	return cmd
}

func runReplicate(app core.App, cmd *cobra.Command, opts Options, once bool) error {
	rep, err := New(app, opts)
	if err != nil {
		return err
	}
	if !app.IsBootstrapped() {
		if err := app.Bootstrap(); err != nil {
			return fmt.Errorf("无法打开数据目录 %s：%w", app.DataDir(), err)
		}
	}
	if !app.HasTable("_rollup_meta") {
		// a data dir last served by an older binary: bring the schema up
		// to date as `serve` would
		if err := app.RunAllMigrations(); err != nil {
			return fmt.Errorf("数据库迁移失败：%w", err)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := cmd.OutOrStdout()
	if once {
		start := time.Now()
		n, err := rep.CatchUp(ctx)
		if err != nil {
			return err
		}
		s := rep.Status()
		fmt.Fprintf(out, "区 %s：复制 %d 条变更，已复制到序号 %d，用时 %v\n", opts.District, n, s.AppliedSeq, time.Since(start).Round(time.Millisecond))
		return nil
	}
	if err := rep.Connect(ctx); err != nil {
		return err
	}
	fmt.Fprintf(out, "区 %s 复制到 %s（Ctrl-C 结束）\n", opts.District, Redact(opts.Postgres))
	if err := rep.Run(ctx); err != nil {
		return err
	}
	return nil
}

// NewCityBulletinCommand builds `yuetan city-bulletin`.
func NewCityBulletinCommand(exit func(int)) *cobra.Command {
	var postgres, month, out, issuer string
	cmd := &cobra.Command{
		Use:   "city-bulletin",
		Short: "从汇总数据库生成全市某月的群众约谈督查通报（PDF，每区一行）",
		Long: "按与各区 /api/stats 相同的统计口径，汇总 PostgreSQL 中所有区的数据，" +
			"生成全市月度督查通报：全市合计、各区情况、各环节按时率和超期事项清单。",
		Example:       "  yuetan city-bulletin --postgres postgres://yuetan@10.0.0.5/city --month 2026-11 --out 全市督查通报-2026-11.pdf",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: cli.RunE(exit, func(cmd *cobra.Command) error {
			if postgres == "" {
				postgres = os.Getenv(EnvPostgres)
			}
			if postgres == "" {
				return errors.New("请用 --postgres 指定汇总数据库地址")
			}
			if month == "" {
				return errors.New("请用 --month 指定月份，例如 --month 2026-11")
			}
			m, err := forms.ParseMonth(month)
			if err != nil {
				return fmt.Errorf("--month %s 无效：%v", month, err)
			}
			if strings.TrimSpace(out) == "" {
				return errors.New("请用 --out 指定输出文件")
			}
			db, err := OpenFigures(postgres)
			if err != nil {
				return err
			}
			defer db.Close()
			var buf bytes.Buffer
			if err := RenderCityBulletin(cmd.Context(), &buf, db, CityBulletinOptions{Month: m, Issuer: issuer}); err != nil {
				return err
			}
			if dir := filepath.Dir(out); dir != "" {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return fmt.Errorf("无法创建目录 %s：%w", dir, err)
				}
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				return fmt.Errorf("无法写入 %s：%w", out, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d年%d月全市督查通报已写入 %s\n", m.Year(), int(m.Month()), out)
			return nil
		}),
	}
	f := cmd.Flags()
	f.StringVar(&postgres, "postgres", "", "汇总数据库地址（默认取 "+EnvPostgres+"）")
	f.StringVar(&month, "month", "", "月份，格式 YYYY-MM（必填）")
	f.StringVar(&out, "out", "", "输出的 PDF 文件（必填）")
	f.StringVar(&issuer, "issuer", "市委市政府督查室", "落款单位")
	return cmd
}
