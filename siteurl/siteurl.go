// Package siteurl decides the address printed on every form and in its QR
// code, so that stamped paper in the archive points at a server people can
// reach: the public URL the operator configured, else the scheme and host
// the request came in on, else the address the server listens on.
package siteurl

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/savectx"
)

// PocketBaseDefault is the application URL PocketBase writes into new
// settings. It is never empty, so it cannot mean "configured": a server
// reached at any other address would print QR codes that resolve nowhere.
const PocketBaseDefault = "http://localhost:8090"

// fallback is the address used when nothing else is known (commands run
// beside a server on its default address).
const fallback = "http://127.0.0.1:8090"

const listenKey = "yuetan.siteurl.listen"

// Configured returns the public URL the operator set (the --public-url
// flag or the dashboard's application URL), without a trailing slash; ""
// when none was set.
func Configured(app core.App) string {
	u := strings.TrimRight(strings.TrimSpace(app.Settings().Meta.AppURL), "/")
	if u == "" || u == PocketBaseDefault {
		return ""
	}
	return u
}

// Parse checks that raw is an absolute http(s) URL without query or
// fragment and returns it without a trailing slash.
func Parse(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("公开地址应为完整的 http(s) 网址，例如 https://yuetan.example.gov.cn：%q", raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// Set saves raw as the application's public URL.
func Set(app core.App, raw string) error {
	u, err := Parse(raw)
	if err != nil {
		return err
	}
	if app.Settings().Meta.AppURL == u {
		return nil
	}
	settings, err := app.Settings().Clone()
	if err != nil {
		return fmt.Errorf("siteurl: %w", err)
	}
	settings.Meta.AppURL = u
	if settings.Meta.SenderAddress == collections.SenderAddress {
		// the mails come from the server's own domain once it has one
		if p, err := url.Parse(u); err == nil && !IsLocal(u) && net.ParseIP(p.Hostname()) == nil {
			settings.Meta.SenderAddress = "noreply@" + p.Hostname()
		}
	}
	if err := app.Save(settings); err != nil {
		return fmt.Errorf("siteurl: save the application URL: %w", err)
	}
	return nil
}

// Origin returns the scheme and host r came in on.
func Origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// ForRequest returns the base URL for links made in answer to r.
func ForRequest(app core.App, r *http.Request) string {
	if u := Configured(app); u != "" {
		return u
	}
	if r != nil && r.Host != "" {
		return Origin(r)
	}
	return Listening(app)
}

// ForSave returns the base URL for links made during a save: the
// configured one, else the origin of the request behind the save (see
// savectx), else the address the server listens on.
func ForSave(app core.App, ctx context.Context, rec *core.Record) string {
	if u := Configured(app); u != "" {
		return u
	}
	if o := savectx.Origin(ctx, rec); o != "" {
		return o
	}
	return Listening(app)
}

// SetListening records the address the server listens on ("host:port").
func SetListening(app core.App, addr string) {
	app.Store().Set(listenKey, ListenURL(addr))
}

// Listening returns the URL of the address the server listens on, or the
// default address when the server has not started (commands).
func Listening(app core.App) string {
	if u, ok := app.Store().Get(listenKey).(string); ok && u != "" {
		return u
	}
	return fallback
}

// ListenURL returns an http URL for the listen address addr; an address on
// every interface (":8090", "0.0.0.0:8090", "[::]:8090") is shown as the
// loopback one, which works on the machine itself.
func ListenURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fallback
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// IsLoopbackListen reports whether addr ("host:port") listens on loopback only.
func IsLoopbackListen(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsLocal reports whether u names this machine only (localhost or a loopback address).
func IsLocal(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return true
	}
	h := p.Hostname()
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && (ip.IsLoopback() || ip.IsUnspecified())
}

// Warning returns the sentence to show at start when the server listens
// beyond this machine but forms would carry a local address; "" otherwise.
func Warning(app core.App, addr string) string {
	if IsLoopbackListen(addr) {
		return ""
	}
	const how = "请用 --public-url https://… 或在管理后台“设置 → Application URL”中设置公开地址。"
	u := Configured(app)
	switch {
	case u == "":
		return fmt.Sprintf("服务器在 %s 上对外提供服务，但没有设置公开地址：网页上打印的表单按访问的地址生成二维码，定时任务和命令行生成的表单则指向 %s，别的机器打不开。%s", addr, ListenURL(addr), how)
	case IsLocal(u):
		return fmt.Sprintf("服务器在 %s 上对外提供服务，但公开地址是 %s：每张表单的二维码都指向这台机器本身，别的机器打不开。%s", addr, u, how)
	}
	return ""
}
