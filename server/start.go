package server

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/osutils"

	"yuetan/internal/texttable"
	"yuetan/siteurl"
)

// PrintStart tells a person at the terminal what started and where to find
// it: the web app, the admin dashboard, the API, the address printed on
// forms, and a warning when that address will not reach other machines.
func PrintStart(out, warn io.Writer, app core.App, addr string) {
	base := siteurl.ListenURL(addr)
	public := siteurl.Configured(app)
	formsAt := public
	if formsAt == "" {
		formsAt = "按访问的地址生成（未设置公开地址，可用 --public-url 设置）"
	}
	fmt.Fprintf(out, "群众约谈服务器已启动（PocketBase %s，数据目录 %s）\n", pocketBaseVersion(), app.DataDir())
	_ = texttable.Write(out, "  ", [][]string{
		{"网页应用", base + "/"},
		{"管理后台", base + "/_/（超级管理员）"},
		{"接口", base + "/api/"},
		{"表单二维码", formsAt},
	})
	if app.IsDev() {
		fmt.Fprintln(out, "  开发模式（--dev）：每条 SQL 语句都会打印在下面。")
	}
	if w := siteurl.Warning(app, addr); w != "" {
		fmt.Fprintln(warn, "注意："+w)
		app.Logger().Warn("the public URL is a local one while the server listens beyond this machine", "listen", addr, "publicURL", public)
	}
}

// Installer tells the operator of a server without a superuser how to
// create the first one (PocketBase's own installer says it in English).
func Installer(app core.App, systemSuperuser *core.Record, baseURL string) error {
	token, err := systemSuperuser.NewStaticAuthToken(30 * time.Minute)
	if err != nil {
		return fmt.Errorf("installer token: %w", err)
	}
	url := strings.TrimRight(baseURL, "/") + "/_/#/pbinstall/" + token
	_ = osutils.LaunchURL(url)
	fmt.Printf("\n还没有超级管理员账号。请在 30 分钟内用浏览器打开下面的地址创建：\n%s\n也可以运行：%s superuser upsert 邮箱 密码\n\n", url, filepath.Base(os.Args[0]))
	return nil
}

// pocketBaseVersion is the PocketBase module version the binary was built
// with (pocketbase.Version is only set by PocketBase's own release builds).
func pocketBaseVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/pocketbase/pocketbase" {
				return m.Version
			}
		}
	}
	return pocketbase.Version
}
