package forms

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/internal/cli"
	"yuetan/internal/progressbar"
	"yuetan/siteurl"
	"yuetan/workdays"
)

// Command builds `yuetan forms --month YYYY-MM --out DIR`. PocketBase's
// Execute discards a command's error, so on failure it prints the error,
// closes the app and ends the process with status 1.
func Command(app core.App) *cobra.Command { return NewCommand(app, cli.Exit(app)) }

// NewCommand builds the forms command; exit (nil: none) is called with 1
// after a failure has been printed, and the error is returned as well.
func NewCommand(app core.App, exit func(code int)) *cobra.Command {
	var month, out string
	cmd := &cobra.Command{
		Use:   "forms",
		Short: "导出某月全部约谈表格和督查通报（PDF，供纸质归档）",
		Long: "导出某月所有有办理活动（报送、审核、约谈、反馈等）的约谈申请的全部表格，" +
			"每份申请一个以编号命名的子目录，另有当月督查通报。每份 PDF 都登记验证码。",
		Example:       "  yuetan forms --month 2026-11 --out ./归档/2026-11",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		RunE:          cli.RunE(exit, func(cmd *cobra.Command) error { return runExport(app, cmd, month, out) }),
		SilenceErrors: true,
	}
	cmd.Flags().StringVar(&month, "month", "", "月份，格式 YYYY-MM（必填）")
	cmd.Flags().StringVar(&out, "out", "", "输出目录（必填，不存在时创建）")
	return cmd
}

func runExport(app core.App, cmd *cobra.Command, month, out string) error {
	if month == "" {
		return errors.New("请用 --month 指定月份，例如 --month 2026-11")
	}
	m, err := ParseMonth(month)
	if err != nil {
		return fmt.Errorf("--month %s 无效：%v", month, err)
	}
	if strings.TrimSpace(out) == "" {
		return errors.New("请用 --out 指定输出目录")
	}
	if err := cli.Open(app, FormPrints); err != nil {
		return err
	}
	res, err := Export(app, m, out, cmd.ErrOrStderr(), time.Now())
	if res != nil {
		fmt.Fprintf(cmd.OutOrStdout(), "%d年%d月：%d 份申请，写入 %d 个 PDF 到 %s\n",
			m.Year(), int(m.Month()), res.Applications, len(res.Files), out)
	}
	return err
}

// ExportResult lists what Export wrote.
type ExportResult struct {
	Applications int
	Files        []string // paths relative to the output directory
}

// exportItem is one PDF to write.
type exportItem struct {
	label string // shown on the progress bar
	path  string // relative to the output directory
	make  func(mp *mapper) (*mapped, error)
}

// Export writes into dir every form of every application active in the
// month — submitted, updated or moved (an audit-trail row) in it — one
// sub-directory per serial, and the month's bulletin, each registered in
// the print register as produced by the system. Progress goes to
// progress. It writes all it can and then reports every failure.
func Export(app core.App, month time.Time, dir string, progress io.Writer, now time.Time) (*ExportResult, error) {
	month = month.In(workdays.Shanghai)
	ids, err := activeApplications(app, month, month.AddDate(0, 1, 0))
	if err != nil {
		return nil, err
	}
	var items []exportItem
	for _, id := range ids {
		more, err := applicationItems(app, id)
		if err != nil {
			return nil, err
		}
		items = append(items, more...)
	}
	bulletinName := fmt.Sprintf("督查通报-%d年%d月.pdf", month.Year(), int(month.Month()))
	items = append(items, exportItem{label: bulletinSerial(month), path: bulletinName, make: func(mp *mapper) (*mapped, error) {
		return mp.bulletin(deadlines.Calendar(app), month, now)
	}})

	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("无法创建输出目录 %s：%w", dir, err)
	}
	res := &ExportResult{Applications: len(ids)}
	bar := progressbar.New(progress, len(items))
	base := siteurl.ForRequest(app, nil)
	at := now.In(workdays.Shanghai)
	var failures []string
	for i, it := range items {
		bar.Show(i, it.label)
		err := func() error {
			// the paper archive: the co-signature sheets with every phone in full
			mp := newMapper(app)
			mp.archive = true
			m, err := it.make(mp)
			if err != nil {
				return err
			}
			b, err := produce(app, m, base, at, producer{ProducerSystem, "系统（月度归档）"})
			if err != nil {
				return err
			}
			path := filepath.Join(dir, it.path)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return err
			}
			return os.WriteFile(path, b, 0o644)
		}()
		if err != nil {
			failures = append(failures, fmt.Sprintf("%s：%v", it.path, err))
			continue
		}
		res.Files = append(res.Files, it.path)
	}
	bar.Show(len(items), "完成")
	bar.Done()
	if len(failures) > 0 {
		return res, fmt.Errorf("%d 份表格未能生成：\n  %s", len(failures), strings.Join(failures, "\n  "))
	}
	return res, nil
}

// activeApplications are the submitted applications with activity in
// [from, to), in serial order.
func activeApplications(app core.App, from, to time.Time) ([]string, error) {
	var rows []struct {
		ID string `db:"id"`
	}
	layout := "2006-01-02 15:04:05.000Z"
	err := app.DB().NewQuery(`SELECT a.id FROM applications a
		WHERE a.serial != '' AND (
			(a.submitted_at >= {:from} AND a.submitted_at < {:to})
			OR (a.updated >= {:from} AND a.updated < {:to})
			OR EXISTS (SELECT 1 FROM events e WHERE e.application = a.id AND e.created >= {:from} AND e.created < {:to}))
		ORDER BY a.serial_year, a.serial_no, a.id`).
		Bind(map[string]any{"from": from.UTC().Format(layout), "to": to.UTC().Format(layout)}).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("查询当月约谈申请失败：%w", err)
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids, nil
}

// applicationItems are the forms of one application whose stage has been
// reached: the application form, the co-signature sheet, the notice, every
// held talk and every feedback.
func applicationItems(app core.App, id string) ([]exportItem, error) {
	a, err := app.FindRecordById(collections.Applications, id)
	if err != nil {
		return nil, fmt.Errorf("约谈申请 %s 不存在：%w", id, err)
	}
	serial := a.GetString(collections.AppSerial)
	folder := safeName(serial)
	var items []exportItem
	add := func(form Form, suffix string, rec *core.Record) {
		items = append(items, exportItem{
			label: serial + " " + form.Title,
			path:  filepath.Join(folder, form.Title+suffix+".pdf"),
			make: func(mp *mapper) (*mapped, error) {
				t := &target{form: form, app: a, rec: rec}
				if err := stageError(t); err != nil {
					return nil, err
				}
				return mp.mapTarget(t)
			},
		})
	}
	for _, name := range []string{"application", "signatures", "notice"} {
		form, _ := formByName(name)
		if stageError(&target{form: form, app: a, rec: a}) == nil {
			add(form, "", a)
		}
	}
	for _, name := range []string{"talk", "feedback"} {
		form, _ := formByName(name)
		coll, filter, sort := collections.Talks, "application = {:a} && outcome != ''", "held_at,created"
		if name == "feedback" {
			coll, filter, sort = collections.Feedback, "application = {:a}", "created"
		}
		recs, err := app.FindRecordsByFilter(coll, filter, sort, 0, 0, map[string]any{"a": id})
		if err != nil {
			return nil, fmt.Errorf("查询 %s 的%s失败：%w", serial, form.Title, err)
		}
		for i, r := range recs {
			suffix := ""
			if len(recs) > 1 {
				suffix = fmt.Sprintf("-%d", i+1)
			}
			add(form, suffix, r)
		}
	}
	return items, nil
}

// safeName makes s usable as a file or directory name.
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	if s == "" || s == "." || s == ".." {
		return "_"
	}
	return s
}
