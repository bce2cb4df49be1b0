package migrations_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/demo"
	"yuetan/internal/testenv"
)

// rateLimitsMigration is the migration under test.
const rateLimitsMigration = "1764000700_rate_limits.go"

// freshInstall puts the app's rate limits back as PocketBase ships them
// (off, its default rules) and runs the rate-limit migration, as a new
// install does (the test environment turns the limits off after it).
func freshInstall(t *testing.T, app core.App) {
	t.Helper()
	s := app.Settings()
	s.RateLimits = pocketBaseDefaults
	if err := app.Save(s); err != nil {
		t.Fatal(err)
	}
	if err := migrationUp(t)(app); err != nil {
		t.Fatal(err)
	}
}

// pocketBaseDefaults are the rate limits PocketBase v0.39.11 starts with
// (newDefaultSettings in core/settings_model.go).
var pocketBaseDefaults = core.RateLimitsConfig{Enabled: false, Rules: []core.RateLimitRule{
	{Label: "*:auth", MaxRequests: 2, Duration: 3},
	{Label: "*:create", MaxRequests: 20, Duration: 5},
	{Label: "/api/batch", MaxRequests: 3, Duration: 1},
	{Label: "/api/", MaxRequests: 300, Duration: 10},
}}

func migrationUp(t *testing.T) func(core.App) error {
	t.Helper()
	for _, m := range core.AppMigrations.Items() {
		if m.File == rateLimitsMigration {
			return m.Up
		}
	}
	t.Fatalf("migration %s not registered", rateLimitsMigration)
	return nil
}

// limited returns an app serving on loopback with the rate limits of a
// fresh install, keyed by X-Forwarded-For (as behind a proxy) so that one
// test can be several clients.
func limited(t *testing.T) (*testenv.Env, string) {
	env := testenv.New(t)
	freshInstall(t, env.App)
	s := env.App.Settings()
	s.TrustedProxy.Headers = []string{"X-Forwarded-For"}
	if err := env.App.Save(s); err != nil {
		t.Fatal(err)
	}
	return env, env.Serve().URL
}

// rule is the migrated rule with label.
func rule(t *testing.T, env *testenv.Env, label string) core.RateLimitRule {
	t.Helper()
	for _, r := range env.App.Settings().RateLimits.Rules {
		if r.Label == label {
			return r
		}
	}
	t.Fatalf("no rate limit rule %q: %+v", label, env.App.Settings().RateLimits.Rules)
	return core.RateLimitRule{}
}

// answer is a response read whole.
type answer struct {
	status     int
	retryAfter string
	message    string
}

func do(t *testing.T, method, url, client, token string, body any, headers ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", client)
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var e struct{ Message string }
	_ = json.NewDecoder(res.Body).Decode(&e)
	return answer{res.StatusCode, res.Header.Get("Retry-After"), e.Message}
}

// TestRateLimitsMigrated: on a fresh install the migration turns
// PocketBase's rate limits on with our rules (none of PocketBase's
// defaults, such as /api/ as a whole, stays), and it leaves rules an
// operator has already turned on alone.
func TestRateLimitsMigrated(t *testing.T) {
	env := testenv.New(t)
	freshInstall(t, env.App)
	rl := env.App.Settings().RateLimits
	var labels []string
	for _, r := range rl.Rules {
		labels = append(labels, r.Label)
	}
	want := "*:auth *:requestOTP *:requestPasswordReset *:requestVerification *:requestEmailChange *:confirmPasswordReset *:confirmVerification *:confirmEmailChange POST /api/sync/push /api/forms/"
	if !rl.Enabled || strings.Join(labels, " ") != want {
		t.Errorf("enabled %v, rules %q\nwant on, %q", rl.Enabled, strings.Join(labels, " "), want)
	}
	if err := rl.Validate(); err != nil {
		t.Errorf("the rules do not validate: %v", err)
	}
	// an operator's own rules, on: kept
	s := env.App.Settings()
	s.RateLimits.Rules = []core.RateLimitRule{{Label: "/api/", MaxRequests: 1000, Duration: 1}}
	if err := env.App.Save(s); err != nil {
		t.Fatal(err)
	}
	if err := migrationUp(t)(env.App); err != nil {
		t.Fatal(err)
	}
	if r := env.App.Settings().RateLimits.Rules; len(r) != 1 || r[0].Label != "/api/" {
		t.Errorf("the operator's rules were replaced: %+v", r)
	}
}

// TestPasswordGuessingIsLimited: a burst of wrong passwords from one
// client is refused with 429 and a Chinese message once the sign-in rule's
// count is used up, the right password too; another client signs in
// meanwhile; once the window has passed, the right password works. (The
// window is waited for in real time, polled; nothing depends on speed but
// the burst fitting in one minute.)
func TestPasswordGuessingIsLimited(t *testing.T) {
	t.Parallel()
	env, base := limited(t)
	r := rule(t, env, "*:auth")
	window := time.Duration(r.Duration) * time.Second
	url := base + "/api/collections/users/auth-with-password"
	const attacker, tablet = "203.0.113.7", "198.51.100.9"
	guess := func(password, client string) answer {
		return do(t, "POST", url, client, "", map[string]string{"identity": "grid@yuetan.example", "password": password})
	}
	start := time.Now()
	for i := range r.MaxRequests {
		if a := guess("wrong-"+string(rune('a'+i%26)), attacker); a.status != http.StatusBadRequest {
			t.Fatalf("guess %d: %+v, want 400 (refused password)", i+1, a)
		}
	}
	if time.Since(start) > window {
		t.Fatalf("the %d guesses took over %v: the test cannot tell", r.MaxRequests, window)
	}
	a := guess("wrong-last", attacker)
	if a.status != http.StatusTooManyRequests || a.message != "登录尝试过于频繁，请 1 分钟后再试。" || a.retryAfter != "60" {
		t.Fatalf("guess %d: %+v, want 429 in Chinese with Retry-After", r.MaxRequests+1, a)
	}
	if a := guess(demo.Password, attacker); a.status != http.StatusTooManyRequests {
		t.Fatalf("the right password within the window: %+v, want 429", a)
	}
	if a := guess(demo.Password, tablet); a.status != http.StatusOK {
		t.Fatalf("another client: %+v, want 200", a)
	}
	// after the window (polled; the ceiling is the window and a margin)
	for {
		a := guess(demo.Password, attacker)
		if a.status == http.StatusOK {
			// fixed windows start on a whole second
			if elapsed := time.Since(start); elapsed < window-time.Second {
				t.Fatalf("signed in after %v, within the %v window", elapsed, window)
			}
			break
		}
		if a.status != http.StatusTooManyRequests || time.Since(start) > window+30*time.Second {
			t.Fatalf("after %v: %+v", time.Since(start), a)
		}
		time.Sleep(500 * time.Millisecond) // polling interval, not a condition
	}
}

// TestPushAndFormsLimited: the sync push and the forms have their own
// counts per client; past them, 429 in Chinese. A client under the limit is
// not affected.
func TestPushAndFormsLimited(t *testing.T) {
	t.Parallel()
	env, base := limited(t)
	token := env.Token("grid@yuetan.example")
	for _, tc := range []struct {
		label, method, path string
		status              int
		headers             []string
	}{
		// a push without X-Sync-Schema is answered 426 at once: still counted
		{"POST /api/sync/push", "POST", "/api/sync/push", http.StatusUpgradeRequired, nil},
		{"/api/forms/", "GET", "/api/forms/verify/NOSUCHCODE", http.StatusNotFound, nil},
	} {
		t.Run(tc.label, func(t *testing.T) {
			r := rule(t, env, tc.label)
			start := time.Now()
			for i := range r.MaxRequests {
				if a := do(t, tc.method, base+tc.path, "203.0.113.8", token, nil, tc.headers...); a.status != tc.status {
					t.Fatalf("request %d: %+v, want %d", i+1, a, tc.status)
				}
			}
			if time.Since(start) > time.Duration(r.Duration)*time.Second {
				t.Fatalf("%d requests took over the window: the test cannot tell", r.MaxRequests)
			}
			if a := do(t, tc.method, base+tc.path, "203.0.113.8", token, nil, tc.headers...); a.status != http.StatusTooManyRequests || a.message != "请求过于频繁，请 1 分钟后再试。" {
				t.Fatalf("request %d: %+v, want 429 in Chinese", r.MaxRequests+1, a)
			}
			if a := do(t, tc.method, base+tc.path, "198.51.100.10", token, nil, tc.headers...); a.status != tc.status {
				t.Fatalf("another client: %+v, want %d", a, tc.status)
			}
		})
	}
}
