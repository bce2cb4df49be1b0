package ledger

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"yuetan/collections"
	"yuetan/internal/cli"
	"yuetan/internal/progressbar"
	"yuetan/stats"
)

// Command builds `yuetan export --from --to --out`. PocketBase's Execute
// discards a command's error, so on failure it prints the error, closes
// the app and ends the process with status 1.
func Command(app core.App) *cobra.Command { return NewCommand(app, cli.Exit(app)) }

// NewCommand builds the export command; exit (nil: none) is called with 1
// after a failure has been printed, and the error is returned as well.
func NewCommand(app core.App, exit func(code int)) *cobra.Command {
	var from, to, out, as string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "导出约谈台账（Excel：约谈申请、问题和意见建议、居民联名）",
		Long: "把某一时段的约谈申请（按首次报送街道的时间）、收集的问题和意见建议（按收集时间）" +
			"和居民联名（按签名时间）导出为一个 .xlsx 工作簿，每类一个工作表。" +
			"不加 --as 时导出全区的完整台账（含个人信息，请妥善保管）；" +
			"--as 某个账号时，只含该账号在系统中能看到的记录和字段。",
		Example:       "  yuetan export --from 2026-11-01 --to 2026-11-30 --out ./台账-2026-11.xlsx",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          cli.RunE(exit, func(cmd *cobra.Command) error { return runExport(app, cmd, from, to, out, as) }),
	}
	cmd.Flags().StringVar(&from, "from", "", "开始日期 YYYY-MM-DD（含；默认今年1月1日）")
	cmd.Flags().StringVar(&to, "to", "", "结束日期 YYYY-MM-DD（含；默认今天）")
	cmd.Flags().StringVar(&out, "out", "", "输出文件，.xlsx（必填；已存在时不覆盖）")
	cmd.Flags().StringVar(&as, "as", "", "按此账号（邮箱）的查看权限导出（默认：全区完整台账）")
	return cmd
}

func runExport(app core.App, cmd *cobra.Command, from, to, out, as string) error {
	start, end, err := stats.ParseRange(from, to, time.Now())
	if err != nil {
		return fmt.Errorf("导出区间无效（日期格式 YYYY-MM-DD，结束日期不早于开始日期）：%v", err)
	}
	if strings.TrimSpace(out) == "" {
		return errors.New("请用 --out 指定输出文件，例如 --out ./台账.xlsx")
	}
	if !strings.EqualFold(filepath.Ext(out), ".xlsx") {
		return fmt.Errorf("输出文件 %s 应以 .xlsx 结尾", out)
	}
	if err := cli.Open(app, collections.Applications); err != nil {
		return err
	}
	q := Query{From: start, To: end}
	if as == "" {
		// the district's whole ledger: as a superuser sees it
		q.Auth = core.NewRecord(core.NewAuthCollection(core.CollectionNameSuperusers))
	} else if q.Auth, err = app.FindAuthRecordByEmail(collections.Users, as); err != nil {
		return fmt.Errorf("没有账号 %s", as)
	}
	_, total, err := Count(app, q)
	if err != nil {
		return err
	}
	// written beside the target and renamed when complete: an interrupted
	// export leaves no half workbook under the name asked for
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s 已存在：请换一个文件名或先移走它", out)
		}
		return fmt.Errorf("无法创建 %s：%w", out, err)
	}
	tmp := out + ".part"
	part, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		f.Close()
		os.Remove(out)
		return fmt.Errorf("无法创建 %s：%w", tmp, err)
	}
	f.Close()
	bar := progressbar.New(cmd.ErrOrStderr(), total)
	counts, err := Write(app, q, part, func(done int) { bar.Step(done, "行") })
	bar.Done()
	if cerr := part.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, out)
	}
	if err != nil {
		os.Remove(tmp)
		os.Remove(out)
		return err
	}
	var parts []string
	for _, s := range Sheets() {
		parts = append(parts, fmt.Sprintf("%s %d 行", s.Name, counts[s.Name]))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s 至 %s 的台账已写入 %s：%s\n", start.Format("2006-01-02"),
		end.Add(-time.Second).In(start.Location()).Format("2006-01-02"), out, strings.Join(parts, "，"))
	return nil
}
