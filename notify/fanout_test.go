package notify_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/deadlines"
	"yuetan/internal/testenv"
	"yuetan/notify"
	"yuetan/savectx"
)

// TestRecipientsFollowTheStage sends each kind at each stage and checks
// whose inbox it reaches: the people whose queue holds the matter (the
// transition table), the handling unit too for criticism, nobody for a
// closed matter, and never the author.
func TestRecipientsFollowTheStage(t *testing.T) {
	env := testenv.New(t)
	for _, c := range []struct {
		subject, kind string
		want          []string
	}{
		{subjNotified, collections.SupReminder, []string{"chief@yuetan.example"}},
		{subjNotified, collections.SupCriticism, []string{"chief@yuetan.example"}},
		{subjInHandling, collections.SupReminder, []string{"handler3@yuetan.example"}},
		{subjInHandling, collections.SupAccountability, []string{"handler3@yuetan.example"}},
		{subjFeedback, collections.SupReminder, []string{"chief2@yuetan.example"}},
		{subjFeedback, collections.SupCriticism, []string{"chief2@yuetan.example", "handler@yuetan.example"}},
		{subjForwarded, collections.SupReminder, []string{"wg@yuetan.example"}},
		{subjForwarded, collections.SupBulletin, []string{"wg@yuetan.example"}},
	} {
		app := application(t, env, c.subject)
		sup := remind(t, env, "sup@yuetan.example", app.Id, c.kind, "请抓紧办理。")
		var got []string
		for _, n := range notificationsOf(t, env, sup) {
			u, err := env.App.FindRecordById(collections.Users, n.GetString(notify.NotifRecipient))
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, u.Email())
		}
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s on %s reached %v, want %v", c.kind, c.subject, got, c.want)
		}
	}
	// a month's bulletin about no application reaches no inbox
	res := env.Do(http.MethodPost, "/api/collections/supervisions/records", "sup@yuetan.example",
		map[string]any{"kind": collections.SupBulletin, "note": "2026-11 督查通报：……"})
	if res.Status != http.StatusOK {
		t.Fatal(res)
	}
	if n := notificationsOf(t, env, res.JSON(t)["id"].(string)); len(n) != 0 {
		t.Errorf("a bulletin about no application reached %d inboxes", len(n))
	}
	// a working-group member's criticism of a forwarded matter reaches the
	// rest of the group, not the author
	wg2 := core.NewRecord(env.User("wg@yuetan.example").Collection())
	wg2.SetEmail("wg2@yuetan.example")
	wg2.SetPassword("yuetan2026")
	wg2.Set(collections.UserName, "王二")
	wg2.Set(collections.UserRole, collections.RoleWorkingGroup)
	wg2.Set(collections.UserOrg, env.User("wg@yuetan.example").GetString(collections.UserOrg))
	if err := env.SaveAsSystem(wg2); err != nil {
		t.Fatal(err)
	}
	sup, err := env.App.FindCachedCollectionByNameOrId(collections.Supervisions)
	if err != nil {
		t.Fatal(err)
	}
	r := core.NewRecord(sup)
	r.Set(collections.SupApplication, application(t, env, subjForwarded).Id)
	r.Set(collections.SupKind, collections.SupReminder)
	r.Set("repeat", true) // the matter was reminded of today already: confirmed
	if err := env.App.SaveWithContext(savectx.AsUser(context.Background(), wg2), r); err != nil {
		t.Fatal(err)
	}
	ns := notificationsOf(t, env, r.Id)
	if len(ns) != 1 || ns[0].GetString(notify.NotifRecipient) != env.User("wg@yuetan.example").Id {
		t.Errorf("the author's own reminder reached %d inboxes (want only the other member's)", len(ns))
	}
}

// TestNotificationIsAttributedAndComplete checks one reminder's inbox
// record and outbox rows: the author's name, the stage, the note; in-app
// delivered on commit; e-mail and SMS skipped with their reasons while
// they are off.
func TestNotificationIsAttributedAndComplete(t *testing.T) {
	env := testenv.New(t)
	app := application(t, env, subjNotified)
	sup := remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "请于本周内商定约谈。")
	ns := notificationsOf(t, env, sup)
	if len(ns) != 1 {
		t.Fatalf("%d notifications, want 1", len(ns))
	}
	n := ns[0]
	if n.GetString(notify.NotifAuthor) != env.User("sup@yuetan.example").Id || n.GetString(notify.NotifAuthorName) != "黄海（区委区府办督查室主任）" {
		t.Errorf("author %q %q", n.GetString(notify.NotifAuthor), n.GetString(notify.NotifAuthorName))
	}
	want := "督办提醒：" + app.GetString(collections.AppSerial) + "“" + subjNotified + "”（已交办领导）。请于本周内商定约谈。"
	if n.GetString(notify.NotifText) != want {
		t.Errorf("text %q, want %q", n.GetString(notify.NotifText), want)
	}
	got := rows(t, env, n.Id)
	for ch, status := range map[string]string{notify.ChannelInApp: notify.StatusSent, notify.ChannelEmail: notify.StatusSkipped, notify.ChannelSMS: notify.StatusSkipped} {
		if got[ch] == nil || got[ch].GetString(notify.OutStatus) != status {
			t.Errorf("%s row: %v, want %s", ch, got[ch], status)
		}
	}
	if !strings.Contains(got[notify.ChannelSMS].GetString(notify.OutLastError), "未配置短信网关") ||
		!strings.Contains(got[notify.ChannelEmail].GetString(notify.OutLastError), "未配置邮件服务器") {
		t.Errorf("skip reasons: %q, %q", got[notify.ChannelEmail].GetString(notify.OutLastError), got[notify.ChannelSMS].GetString(notify.OutLastError))
	}
	// the deadline job's flags are the system's
	if _, err := deadlines.Supervise(env.App, time.Date(2027, 6, 1, 9, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	flags, err := env.App.FindRecordsByFilter(notify.Notifications, "kind = 'overdue'", "", 0, 0)
	if err != nil || len(flags) == 0 {
		t.Fatalf("the deadline job's overdue flags reached no inbox (%v)", err)
	}
	for _, f := range flags {
		if f.GetString(notify.NotifAuthor) != "" || f.GetString(notify.NotifAuthorName) != "系统（期限监督）" {
			t.Errorf("overdue flag attributed to %q", f.GetString(notify.NotifAuthorName))
		}
	}
	// users without a phone or with channels on: skipped with the person's reason
	handler := env.User("chief@yuetan.example")
	handler.Set(collections.UserPhone, "")
	if err := env.SaveAsSystem(handler); err != nil {
		t.Fatal(err)
	}
	enableMail(t, env)
	rcv := newReceiver(t)
	configure(t, env, smsOptions(rcv))
	sup = remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "再次提醒。")
	got = rows(t, env, notificationsOf(t, env, sup)[0].Id)
	if got[notify.ChannelEmail].GetString(notify.OutStatus) != notify.StatusPending ||
		got[notify.ChannelSMS].GetString(notify.OutStatus) != notify.StatusSkipped ||
		!strings.Contains(got[notify.ChannelSMS].GetString(notify.OutLastError), "没有登记手机号") {
		t.Errorf("no phone: email %s, sms %s %q", got[notify.ChannelEmail].GetString(notify.OutStatus),
			got[notify.ChannelSMS].GetString(notify.OutStatus), got[notify.ChannelSMS].GetString(notify.OutLastError))
	}
}

// TestNotificationsInTheSupervisionsTransaction makes the inbox write
// fail: the supervision record is not written either.
func TestNotificationsInTheSupervisionsTransaction(t *testing.T) {
	env := testenv.New(t)
	app := application(t, env, subjNotified)
	env.App.OnRecordCreate(notify.Outbox).BindFunc(func(e *core.RecordEvent) error {
		return errors.New("disk full")
	})
	res := env.Do(http.MethodPost, "/api/collections/supervisions/records", "sup@yuetan.example",
		map[string]any{"application": app.Id, "kind": collections.SupReminder, "note": "不会留下"})
	if res.Status < 400 {
		t.Fatalf("the create succeeded although its outbox could not be written: %d", res.Status)
	}
	for _, c := range []string{collections.Supervisions, notify.Notifications, notify.Outbox} {
		n, err := env.App.CountRecords(c)
		if err != nil {
			t.Fatal(err)
		}
		if c == collections.Supervisions {
			left, _ := env.App.FindRecordsByFilter(c, "note = '不会留下'", "", 0, 0)
			n = int64(len(left))
		}
		if n != 0 {
			t.Errorf("%s: %d records left by the failed create", c, n)
		}
	}
}

// TestNoPersonalDataInNotifications gives the application a contact
// person and a resident's phone in the note: the inbox text never holds
// the contact's name or phone, and the e-mail and the SMS, which leave the
// system, carry neither the note nor the contact.
func TestNoPersonalDataInNotifications(t *testing.T) {
	env := testenv.New(t)
	app := application(t, env, subjNotified)
	app.Set(collections.AppContactName, "张三丰")
	app.Set(collections.AppContactPhone, "13912345678")
	if err := env.SaveAsSystem(app); err != nil {
		t.Fatal(err)
	}
	enableMail(t, env)
	rcv := newReceiver(t)
	w := configure(t, env, smsOptions(rcv))
	remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "居民李四（13700001111）反映门禁仍坏。")
	n, err := env.App.FindFirstRecordByFilter(notify.Notifications, "application = {:a}", map[string]any{"a": app.Id})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"张三丰", "13912345678"} {
		if strings.Contains(n.GetString(notify.NotifText)+n.GetString(notify.NotifTitle), s) {
			t.Errorf("the inbox text holds the contact's %q", s)
		}
	}
	if _, err := w.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	var outside []string
	for _, m := range env.App.TestMailer.Messages() {
		outside = append(outside, m.Subject, m.HTML, m.Text)
	}
	for _, s := range rcv.requests {
		outside = append(outside, s.Text)
	}
	if len(outside) < 4 {
		t.Fatalf("expected a mail and an SMS, got %d texts", len(outside))
	}
	for _, text := range outside {
		for _, s := range []string{"张三丰", "13912345678", "李四", "13700001111"} {
			if strings.Contains(text, s) {
				t.Errorf("a message leaving the system holds %q: %s", s, text)
			}
		}
	}
}
