// Package testenv starts real PocketBase test apps with yuetan's full
// wiring and the demo district, and talks to them over HTTP as any user.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/forms"
	"yuetan/internal/stmtcache"
	_ "yuetan/pb_migrations"
	"yuetan/savectx"
	"yuetan/server"
)

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// template builds, once per test binary, a data dir holding the schema and
// the demo district; every Env starts from a copy of it.
func template() (string, error) {
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "yuetan-template-*")
		if err != nil {
			templateErr = err
			return
		}
		app, err := tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: dir, EncryptionEnv: "pb_test_env", DBConnect: stmtcache.Connect})
		if err != nil {
			templateErr = fmt.Errorf("template app: %w", err)
			return
		}
		defer app.Cleanup()
		if err := server.Register(app); err != nil {
			templateErr = err
			return
		}
		if _, err := demo.Seed(app); err != nil {
			templateErr = fmt.Errorf("seed template: %w", err)
			return
		}
		// the seed's moves queued their archive copies: store them, as
		// serve's worker would, so that every test starts from them
		if _, err := forms.NewArchiveWorker(app).Drain(context.Background()); err != nil {
			templateErr = fmt.Errorf("template archive copies: %w", err)
			return
		}
		// tests send hundreds of requests a second from one address: the
		// rate limits (on, by migration) would refuse some depending on
		// the machine's speed; the rate-limit tests turn them on again
		settings := app.Settings()
		settings.RateLimits.Enabled = false
		if err := app.Save(settings); err != nil {
			templateErr = fmt.Errorf("template settings: %w", err)
			return
		}
		// the test app works on a clone: copy its data back as the template
		templateDir = filepath.Join(dir, "data")
		templateErr = os.CopyFS(templateDir, os.DirFS(app.DataDir()))
	})
	return templateDir, templateErr
}

// Env is a running test app with the demo district.
type Env struct {
	T       testing.TB
	App     *tests.TestApp
	handler http.Handler
	tokens  map[string]string
}

// NewApp starts a fresh app (schema + demo data, full wiring) for one
// test, without serving it (for tests.ApiScenario's TestAppFactory).
func NewApp(t testing.TB) *tests.TestApp {
	t.Helper()
	dir, err := template()
	if err != nil {
		t.Fatalf("testenv template: %v", err)
	}
	app, err := tests.NewTestAppWithConfig(core.BaseAppConfig{DataDir: dir, EncryptionEnv: "pb_test_env", DBConnect: stmtcache.Connect})
	if err != nil {
		t.Fatalf("testenv app: %v", err)
	}
	t.Cleanup(app.Cleanup)
	if err := server.Register(app); err != nil {
		t.Fatalf("testenv register: %v", err)
	}
	return app
}

// New starts a fresh app (schema + demo data) for one test and its HTTP handler.
func New(t testing.TB) *Env {
	t.Helper()
	app := NewApp(t)
	router, err := apis.NewRouter(app)
	if err != nil {
		t.Fatal(err)
	}
	se := &core.ServeEvent{App: app, Router: router}
	var mux http.Handler
	err = app.OnServe().Trigger(se, func(e *core.ServeEvent) error {
		m, err := e.Router.BuildMux()
		mux = m
		return err
	})
	if err != nil {
		t.Fatalf("testenv serve: %v", err)
	}
	// what serve puts around its handler (the request body guard)
	return &Env{T: t, App: app, handler: server.Outermost(mux), tokens: map[string]string{}}
}

// SaveAsSystem saves rec as trusted server code would (tests arranging
// their records): saves that carry no actor are refused by the rules.
func (e *Env) SaveAsSystem(rec *core.Record) error {
	return e.App.SaveWithContext(savectx.AsSystem(context.Background()), rec)
}

// Handler returns the app's HTTP handler (for a loopback server).
func (e *Env) Handler() http.Handler { return e.handler }

// Serve starts a real HTTP server on loopback for the app.
func (e *Env) Serve() *httptest.Server {
	srv := httptest.NewServer(e.handler)
	e.T.Cleanup(srv.Close)
	return srv
}

// Wrap returns an Env for app without serving it (lookups and tokens only).
func Wrap(t testing.TB, app *tests.TestApp) *Env {
	return &Env{T: t, App: app, tokens: map[string]string{}}
}

// User returns the demo user with email.
func (e *Env) User(email string) *core.Record {
	e.T.Helper()
	u, err := e.App.FindAuthRecordByEmail(collections.Users, email)
	if err != nil {
		e.T.Fatalf("user %s: %v", email, err)
	}
	return u
}

// Org returns the demo org with code.
func (e *Env) Org(code string) *core.Record {
	e.T.Helper()
	o, err := e.App.FindFirstRecordByData(collections.Orgs, collections.OrgCode, code)
	if err != nil {
		e.T.Fatalf("org %s: %v", code, err)
	}
	return o
}

// Token returns an auth token for the demo user with email; "" is a guest
// and demo.SuperuserEmail the superuser.
func (e *Env) Token(email string) string {
	e.T.Helper()
	if email == "" {
		return ""
	}
	if tok, ok := e.tokens[email]; ok {
		return tok
	}
	coll := collections.Users
	if email == demo.SuperuserEmail {
		coll = core.CollectionNameSuperusers
	}
	u, err := e.App.FindAuthRecordByEmail(coll, email)
	if err != nil {
		e.T.Fatalf("auth %s: %v", email, err)
	}
	tok, err := u.NewAuthToken()
	if err != nil {
		e.T.Fatal(err)
	}
	e.tokens[email] = tok
	return tok
}

// Response is an HTTP response read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map (or fails the test).
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
	return m
}

// String returns the body as text.
func (r Response) String() string { return string(r.Body) }

// Do sends a request as the user with email ("" = guest). body may be nil,
// a string, []byte or any value encoded as JSON.
func (e *Env) Do(method, url, email string, body any) Response {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.T.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if tok := e.Token(email); tok != "" {
		req.Header.Set("Authorization", tok)
	}
	return e.send(req, nil)
}

// DoHeaders sends a GET-like request without a body as email, with the
// given headers (a browser's Accept, say).
func (e *Env) DoHeaders(method, url, email string, headers map[string]string) Response {
	e.T.Helper()
	req := httptest.NewRequest(method, url, nil)
	if tok := e.Token(email); tok != "" {
		req.Header.Set("Authorization", tok)
	}
	return e.send(req, headers)
}

func (e *Env) send(req *http.Request, headers map[string]string) Response {
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}
