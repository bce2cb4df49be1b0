package notify_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/notify"
)

const secret = "test-webhook-secret-0123456789"

// demo applications by stage (demo/stories.go)
const (
	subjNotified   = "东海花园小区门禁系统维修" // notified, leader 钱立新 (chief)
	subjInHandling = "黄鹂社区配电箱改造"    // in_handling, unit 区经信局 (handler3), leader chief
	subjFeedback   = "黄鹂社区雨污管道疏通"   // feedback_submitted, leader chief2, unit 区城管局 (handler)
	subjForwarded  = "中塘河划船段河道清淤"   // forwarded: the working group
	subjClosed     = "划船社区低洼地排涝改造"  // closed
)

func application(t *testing.T, env *testenv.Env, subject string) *core.Record {
	t.Helper()
	r, err := env.App.FindFirstRecordByData(collections.Applications, collections.AppSubject, subject)
	if err != nil {
		t.Fatalf("application %s: %v", subject, err)
	}
	return r
}

// remind posts a supervision record as email and returns its id.
func remind(t *testing.T, env *testenv.Env, email, appID, kind, note string) string {
	t.Helper()
	res := env.Do(http.MethodPost, "/api/collections/supervisions/records", email,
		map[string]any{"application": appID, "kind": kind, "note": note, "repeat": true}) // the tests remind the same matter again: confirmed
	if res.Status != http.StatusOK {
		t.Fatalf("supervision %s by %s: %d %s", kind, email, res.Status, res)
	}
	return res.JSON(t)["id"].(string)
}

// notificationsOf returns the notifications a supervision record caused.
func notificationsOf(t *testing.T, env *testenv.Env, supID string) []*core.Record {
	t.Helper()
	recs, err := env.App.FindRecordsByFilter(notify.Notifications, "supervision = {:s}", "recipient", 0, 0, map[string]any{"s": supID})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// rows returns the outbox rows of a notification by channel.
func rows(t *testing.T, env *testenv.Env, notifID string) map[string]*core.Record {
	t.Helper()
	recs, err := env.App.FindRecordsByFilter(notify.Outbox, "notification = {:n}", "", 0, 0, map[string]any{"n": notifID})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*core.Record{}
	for _, r := range recs {
		out[r.GetString(notify.OutChannel)] = r
	}
	return out
}

// receiver is an SMS gateway on loopback: it checks each request's
// signature, keeps every delivery by its idempotency key and answers
// with the next planned status (200 when the plan is empty).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	requests []notify.SMS // every accepted request, repeats included
	byKey    map[string]notify.SMS
	keys     []string // header keys, in order
	plan     []int
	badSig   int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{byKey: map[string]notify.SMS{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if !notify.Verify(secret, req.Header.Get(notify.HeaderTimestamp), body, req.Header.Get(notify.HeaderSignature)) {
			r.badSig++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		status := http.StatusOK
		if len(r.plan) > 0 {
			status, r.plan = r.plan[0], r.plan[1:]
		}
		if status != http.StatusOK {
			http.Error(w, "planned failure", status)
			return
		}
		var sms notify.SMS
		if err := json.Unmarshal(body, &sms); err != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		r.requests = append(r.requests, sms)
		r.keys = append(r.keys, req.Header.Get(notify.HeaderIdempotencyKey))
		r.byKey[sms.ID] = sms // a repeat of a key replaces, never adds
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) counts() (requests, delivered int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests), len(r.byKey)
}

func smsOptions(r *receiver) notify.Options {
	return notify.Options{SMSURL: r.URL, SMSSecret: secret}
}

func configure(t *testing.T, env *testenv.Env, opts notify.Options) *notify.Worker {
	t.Helper()
	w, err := notify.Configure(env.App, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func enableMail(t *testing.T, env *testenv.Env) {
	t.Helper()
	s := env.App.Settings()
	s.SMTP.Enabled = true
	s.SMTP.Host = "127.0.0.1"
	s.SMTP.Port = 2525
	if err := env.App.Save(s); err != nil {
		t.Fatal(err)
	}
}
