package notify_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"yuetan/collections"
	"yuetan/internal/testenv"
	"yuetan/notify"
)

// clock is a test's time, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// newClock starts a second ahead of the wall clock, so the rows the test
// writes next are due.
func newClock() *clock { return &clock{t: time.Now().Add(time.Second)} }

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func drain(t *testing.T, w *notify.Worker) int {
	t.Helper()
	n, err := w.Drain(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func status(t *testing.T, env *testenv.Env, id string) (string, int, string) {
	t.Helper()
	r, err := env.App.FindRecordById(notify.Outbox, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.GetString(notify.OutStatus), r.GetInt(notify.OutAttempts), r.GetString(notify.OutLastError)
}

// TestMailInChinese sends a reminder by e-mail through PocketBase's
// mailer: once, in Chinese, to the leader, with the outbox id as its
// Message-ID; a second drain sends nothing.
func TestMailInChinese(t *testing.T) {
	env := testenv.New(t)
	enableMail(t, env)
	w := configure(t, env, notify.Options{})
	app := application(t, env, subjNotified)
	sup := remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "请于本周内商定约谈。")
	n := notificationsOf(t, env, sup)[0]
	row := rows(t, env, n.Id)[notify.ChannelEmail]
	if got := drain(t, w); got != 1 {
		t.Fatalf("drained %d rows, want 1 (the e-mail)", got)
	}
	if env.App.TestMailer.TotalSend() != 1 {
		t.Fatalf("%d mails sent", env.App.TestMailer.TotalSend())
	}
	m := env.App.TestMailer.LastMessage()
	if len(m.To) != 1 || m.To[0].Address != "chief@yuetan.example" {
		t.Errorf("to %v", m.To)
	}
	if !strings.HasPrefix(m.Subject, "群众约谈：督办提醒：") || !strings.Contains(m.Text, "钱立新您好") ||
		!strings.Contains(m.HTML, "黄海（区委区府办督查室主任）发来督办提醒") || !strings.Contains(m.Text, "/#/inbox") {
		t.Errorf("mail not the Chinese one expected:\n%s\n%s\n%s", m.Subject, m.Text, m.HTML)
	}
	if m.Headers["Message-ID"] != "<"+row.Id+"@notify.yuetan>" {
		t.Errorf("Message-ID %q", m.Headers["Message-ID"])
	}
	if s, attempts, _ := status(t, env, row.Id); s != notify.StatusSent || attempts != 1 {
		t.Errorf("row %s after %d attempts", s, attempts)
	}
	if drain(t, w) != 0 || env.App.TestMailer.TotalSend() != 1 {
		t.Errorf("a second drain sent again")
	}
	// mail switched off after a row was written: skipped, not sent through sendmail
	sup = remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "再次提醒。")
	row = rows(t, env, notificationsOf(t, env, sup)[0].Id)[notify.ChannelEmail]
	s := env.App.Settings()
	s.SMTP.Enabled = false
	if err := env.App.Save(s); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	if st, _, reason := status(t, env, row.Id); st != notify.StatusSkipped || !strings.Contains(reason, "SMTP") || env.App.TestMailer.TotalSend() != 1 {
		t.Errorf("mail off: %s %q, %d mails", st, reason, env.App.TestMailer.TotalSend())
	}
}

// TestSMSWebhookSignedAndRetried: the webhook gets a signed request with
// the phone and the idempotency key; a 503 is retried after the backoff
// (not before), a 400 fails for good, a wrong secret is refused by the
// receiver and fails the row.
func TestSMSWebhookSignedAndRetried(t *testing.T) {
	env := testenv.New(t)
	rcv := newReceiver(t)
	w := configure(t, env, smsOptions(rcv))
	clk := newClock()
	w.SetClock(clk.now)
	app := application(t, env, subjNotified)

	rcv.plan = []int{http.StatusServiceUnavailable}
	row := rows(t, env, notificationsOf(t, env, remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "一"))[0].Id)[notify.ChannelSMS]
	drain(t, w)
	if s, attempts, last := status(t, env, row.Id); s != notify.StatusPending || attempts != 1 || !strings.Contains(last, "503") {
		t.Fatalf("after a 503: %s, %d attempts, %q", s, attempts, last)
	}
	if drain(t, w) != 0 {
		t.Errorf("retried before its backoff")
	}
	clk.add(notify.Backoff(1) + time.Second)
	drain(t, w)
	if s, attempts, _ := status(t, env, row.Id); s != notify.StatusSent || attempts != 2 {
		t.Fatalf("after the retry: %s, %d attempts", s, attempts)
	}
	sms := rcv.byKey[row.Id]
	if sms.Phone != "13800000013" || !strings.HasPrefix(sms.Text, "【群众约谈】督办提醒：") || rcv.keys[len(rcv.keys)-1] != row.Id {
		t.Errorf("sms %+v, key %v", sms, rcv.keys)
	}

	rcv.plan = []int{http.StatusBadRequest}
	row = rows(t, env, notificationsOf(t, env, remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "二"))[0].Id)[notify.ChannelSMS]
	drain(t, w)
	if s, _, last := status(t, env, row.Id); s != notify.StatusFailed || !strings.Contains(last, "短信网关拒绝（400）") {
		t.Errorf("after a 400: %s %q", s, last)
	}

	w = configure(t, env, notify.Options{SMSURL: rcv.URL, SMSSecret: "another-secret-0123456789"})
	row = rows(t, env, notificationsOf(t, env, remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "三"))[0].Id)[notify.ChannelSMS]
	drain(t, w)
	if s, _, last := status(t, env, row.Id); s != notify.StatusFailed || !strings.Contains(last, "401") || rcv.badSig != 1 {
		t.Errorf("wrong secret: %s %q, bad signatures %d", s, last, rcv.badSig)
	}
}

// TestRetriesEndInFailed: a gateway that always fails is tried
// MaxAttempts times, then the row fails.
func TestRetriesEndInFailed(t *testing.T) {
	env := testenv.New(t)
	rcv := newReceiver(t)
	w := configure(t, env, notify.Options{SMSURL: rcv.URL, SMSSecret: secret, MaxAttempts: 3})
	clk := newClock()
	w.SetClock(clk.now)
	rcv.plan = []int{500, 500, 500, 500}
	app := application(t, env, subjNotified)
	row := rows(t, env, notificationsOf(t, env, remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "一"))[0].Id)[notify.ChannelSMS]
	for range 5 {
		drain(t, w)
		clk.add(notify.MaxBackoff)
	}
	if s, attempts, _ := status(t, env, row.Id); s != notify.StatusFailed || attempts != 3 {
		t.Errorf("%s after %d attempts, want failed after 3", s, attempts)
	}
}

// TestWorkerDiesBetweenSendAndMark: a worker claims and sends, then dies
// before it marks. Until the lease ends nobody sends the row again; after
// it, the next worker sends it again with the same key, which the
// receiver keeps once; the dead worker's late mark changes nothing.
func TestWorkerDiesBetweenSendAndMark(t *testing.T) {
	env := testenv.New(t)
	rcv := newReceiver(t)
	opts := notify.Options{SMSURL: rcv.URL, SMSSecret: secret, Lease: time.Minute}
	dead := configure(t, env, opts)
	clk := newClock()
	dead.SetClock(clk.now)
	app := application(t, env, subjNotified)
	row := rows(t, env, notificationsOf(t, env, remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "一"))[0].Id)[notify.ChannelSMS]

	id, lateMark, err := dead.ClaimAndSendOnly(context.Background())
	if err != nil || id != row.Id {
		t.Fatalf("claimed %q (%v), want %s", id, err, row.Id)
	}
	if s, _, _ := status(t, env, id); s != notify.StatusSending {
		t.Fatalf("a claimed row is %s", s)
	}
	next := configure(t, env, opts)
	next.SetClock(clk.now)
	if drain(t, next) != 0 {
		t.Fatal("a row was taken over inside its lease")
	}
	clk.add(opts.Lease + time.Second)
	if drain(t, next) != 1 {
		t.Fatal("the row was not taken over after its lease")
	}
	if s, attempts, _ := status(t, env, id); s != notify.StatusSent || attempts != 2 {
		t.Errorf("after the takeover: %s, %d attempts", s, attempts)
	}
	requests, delivered := rcv.counts()
	if requests != 2 || delivered != 1 || rcv.keys[0] != id || rcv.keys[1] != id {
		t.Errorf("receiver: %d requests, %d delivered, keys %v (want the same key twice, kept once)", requests, delivered, rcv.keys)
	}
	if err := lateMark(); err != nil {
		t.Fatal(err)
	}
	if s, attempts, _ := status(t, env, id); s != notify.StatusSent || attempts != 2 {
		t.Errorf("the dead worker's mark changed the row: %s, %d", s, attempts)
	}
}

// TestConcurrentWorkersSendEachOnce runs two workers at once over many
// rows, several times: the receiver never sees a key twice.
func TestConcurrentWorkersSendEachOnce(t *testing.T) {
	env := testenv.New(t)
	rcv := newReceiver(t)
	opts := smsOptions(rcv)
	a := configure(t, env, opts)
	b := configure(t, env, opts)
	app := application(t, env, subjNotified)
	for round := range 3 {
		for range 10 {
			remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "并发")
		}
		var wg sync.WaitGroup
		for _, w := range []*notify.Worker{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.Drain(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		requests, delivered := rcv.counts()
		if requests != delivered || delivered != 10*(round+1) {
			t.Fatalf("round %d: %d requests for %d messages (want each sent once)", round, requests, delivered)
		}
	}
	pending, _ := env.App.FindRecordsByFilter(notify.Outbox, "channel = 'sms' && status != 'sent'", "", 0, 0)
	if len(pending) != 0 {
		t.Errorf("%d SMS rows not sent", len(pending))
	}
}
