// Package pbpublic embeds the web app (pb_public/) in the binary and serves
// it: the field app for grid workers and community staff (an offline PWA)
// and the console for the other roles, in plain ES modules with no build
// step.
package pbpublic

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
)

//go:embed index.html manifest.json sw.js css js icons
var files embed.FS

// FS returns the embedded web app.
func FS() fs.FS { return files }

var (
	once    sync.Once
	etags   map[string]string // file → strong ETag
	version string            // hash of every file but sw.js
	assets  []string          // what the service worker precaches
	sw      []byte            // sw.js with its version and asset list filled in
	index   []byte            // index.html with a modulepreload link per module
)

func load() {
	etags = map[string]string{}
	all := sha256.New()
	var names []string
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		names = append(names, p)
		return nil
	})
	sort.Strings(names)
	for _, p := range names {
		b, _ := files.ReadFile(p)
		sum := sha256.Sum256(b)
		etags[p] = `"` + hex.EncodeToString(sum[:8]) + `"`
		if p == "sw.js" {
			continue
		}
		all.Write([]byte(p))
		all.Write(sum[:])
		if p == "index.html" {
			assets = append(assets, "./")
		} else {
			assets = append(assets, "./"+p)
		}
	}
	version = hex.EncodeToString(all.Sum(nil)[:6])
	// every module is preloaded from the page itself, so the browser fetches
	// the whole graph at once instead of level by level
	var links strings.Builder
	for _, p := range names {
		if strings.HasSuffix(p, ".js") && p != "sw.js" {
			links.WriteString(`<link rel="modulepreload" href="` + p + `">` + "\n")
		}
	}
	html, _ := files.ReadFile("index.html")
	index = []byte(strings.Replace(string(html), "<!--modulepreload-->\n", links.String(), 1))
	isum := sha256.Sum256(index)
	etags["index.html"] = `"` + hex.EncodeToString(isum[:8]) + `"`
	list, _ := json.Marshal(assets)
	src, _ := files.ReadFile("sw.js")
	s := strings.Replace(string(src), `"__VERSION__"`, `"`+version+`"`, 1)
	s = strings.Replace(s, `["__ASSETS__"]`, string(list), 1)
	sw = []byte(s)
	sum := sha256.Sum256(sw)
	etags["sw.js"] = `"` + hex.EncodeToString(sum[:8]) + `"`
}

// Version is a hash of the embedded app; it changes with any file.
func Version() string { once.Do(load); return version }

// Handler serves the app for GET /{path...}: files with an ETag and
// "no-cache" (revalidated, so a new binary's files are picked up; the
// service worker keeps them for offline use), /sw.js with its version
// filled in, index.html for unknown app paths, and a plain 404 under /api/.
func Handler() func(*core.RequestEvent) error {
	once.Do(load)
	static := apis.Static(files, true)
	return func(e *core.RequestEvent) error {
		p := strings.TrimPrefix(path.Clean("/"+e.Request.PathValue(apis.StaticWildcardParam)), "/")
		if p == "api" || strings.HasPrefix(p, "api/") || p == "_" || strings.HasPrefix(p, "_/") {
			return e.NotFoundError("", nil)
		}
		h := e.Response.Header()
		h.Set("Cache-Control", "no-cache")
		if p == "sw.js" {
			h.Set("Content-Type", "text/javascript; charset=utf-8")
			h.Set("ETag", etags["sw.js"])
			h.Set("Service-Worker-Allowed", "/")
			if e.Request.Header.Get("If-None-Match") == etags["sw.js"] {
				return e.NoContent(http.StatusNotModified)
			}
			return e.Blob(http.StatusOK, "text/javascript; charset=utf-8", sw)
		}
		if p == "" || p == "." {
			p = "index.html"
		}
		_, known := etags[p]
		if !known && strings.Contains(path.Base(p), ".") {
			return e.NotFoundError("", nil) // a missing file, not an app path
		}
		if !known || p == "index.html" {
			// the app's one page (hash routes; unknown paths fall back to it)
			h.Set("ETag", etags["index.html"])
			if e.Request.Header.Get("If-None-Match") == etags["index.html"] {
				return e.NoContent(http.StatusNotModified)
			}
			return e.HTML(http.StatusOK, string(index))
		}
		h.Set("ETag", etags[p])
		if strings.HasSuffix(p, ".json") {
			h.Set("Content-Type", "application/json; charset=utf-8")
		}
		return static(e)
	}
}
