package collections_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
)

// send posts body to url as email ("" = guest) from a browser with user agent ua.
func send(t *testing.T, env *testenv.Env, url, email, ua, body string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", ua)
	if email != "" {
		req.Header.Set("Authorization", env.Token(email))
	}
	rec := httptest.NewRecorder()
	env.Handler().ServeHTTP(rec, req)
	return rec.Code
}

var (
	han       = regexp.MustCompile(`\p{Han}`)
	tags      = regexp.MustCompile(`(?s)<style.*?</style>|<[^>]*>`)
	urls      = regexp.MustCompile(`https?://\S+`)
	latinWord = regexp.MustCompile(`[A-Za-z]{3,}`)
)

// TestAuthMailIsChinese: every mail PocketBase sends for a person — e-mail
// verification, password reset, e-mail change, one-time password and the
// sign-in-from-a-new-device alert, for users and superusers — comes from
// 群众约谈 with a Chinese subject and body and no English words (only
// addresses and the browser's own name in the alert).
func TestAuthMailIsChinese(t *testing.T) {
	env := testenv.New(t)
	for _, name := range []string{collections.Users, core.CollectionNameSuperusers} {
		c, err := env.App.FindCollectionByNameOrId(name)
		if err != nil {
			t.Fatal(err)
		}
		c.OTP.Enabled = true // off by default; the template must be Chinese when it is turned on
		if err := env.App.Save(c); err != nil {
			t.Fatal(err)
		}
	}
	const ua = "Mozilla/5.0 (Linux; Android 13) Chrome/156.0"
	user, admin := "staff@yuetan.example", demo.SuperuserEmail
	u := env.User(user)
	u.SetVerified(false) // a verification mail goes only to an unverified address
	if err := env.App.Save(u); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		what, url, email, body, ua string
	}{
		{"verification", "/api/collections/users/request-verification", "", `{"email":"` + user + `"}`, ua},
		{"password reset", "/api/collections/users/request-password-reset", "", `{"email":"` + user + `"}`, ua},
		{"e-mail change", "/api/collections/users/request-email-change", user, `{"newEmail":"chenjing@jiangdong.example"}`, ua},
		{"one-time password", "/api/collections/users/request-otp", "", `{"email":"` + user + `"}`, ua},
		// the first sign-in records the device; the second, from another browser, is alerted
		{"", "/api/collections/users/auth-with-password", "", `{"identity":"` + user + `","password":"` + demo.Password + `"}`, ua},
		{"new-device alert", "/api/collections/users/auth-with-password", "", `{"identity":"` + user + `","password":"` + demo.Password + `"}`, "Mozilla/5.0 (iPad) Safari/17"},
		{"superuser password reset", "/api/collections/_superusers/request-password-reset", "", `{"email":"` + admin + `"}`, ua},
		{"superuser one-time password", "/api/collections/_superusers/request-otp", "", `{"email":"` + admin + `"}`, ua},
	}
	// PocketBase sends most of these mails from a goroutine after answering:
	// wait for each one (a ceiling, not a delay)
	sent := make(chan *mailer.Message, 16)
	env.App.OnMailerSend().BindFunc(func(e *core.MailerEvent) error {
		err := e.Next()
		sent <- e.Message
		return err
	})
	for _, c := range cases {
		if code := send(t, env, c.url, c.email, c.ua, c.body); code != 200 && code != 204 {
			t.Fatalf("%s: POST %s answered %d", c.what, c.url, code)
		}
		if c.what == "" {
			// the alert is sent before the sign-in answers: nothing may have gone
			select {
			case m := <-sent:
				t.Errorf("first sign-in sent %q", m.Subject)
			default:
			}
			continue
		}
		var m *mailer.Message
		select {
		case m = <-sent:
		case <-time.After(30 * time.Second):
			t.Errorf("%s: no mail sent", c.what)
			continue
		}
		if m.From.Name != collections.SenderName || m.From.Address == "support@example.com" {
			t.Errorf("%s: from %q <%s>", c.what, m.From.Name, m.From.Address)
		}
		if !han.MatchString(m.Subject) || latinWord.MatchString(m.Subject) {
			t.Errorf("%s: subject %q", c.what, m.Subject)
		}
		text := urls.ReplaceAllString(tags.ReplaceAllString(m.HTML, " "), " ")
		text = strings.NewReplacer(ua, "", "Mozilla/5.0 (iPad) Safari/17", "").Replace(text)
		if !han.MatchString(text) {
			t.Errorf("%s: no Chinese in the body:\n%s", c.what, m.HTML)
		}
		if w := latinWord.FindAllString(text, -1); len(w) > 0 {
			t.Errorf("%s: English in the body %v:\n%s", c.what, w, text)
		}
	}
}
