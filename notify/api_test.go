package notify_test

import (
	"net/http"
	"net/url"
	"testing"

	"yuetan/collections"
	"yuetan/demo"
	"yuetan/internal/testenv"
	"yuetan/notify"
)

// TestInboxAccess is the notifications and outbox matrix: each role lists
// and views only its own notifications, nobody writes them through the
// API, the outbox is the superuser's; filters cannot reach another's.
func TestInboxAccess(t *testing.T) {
	env := testenv.New(t)
	app := application(t, env, subjNotified)
	sup := remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "请抓紧。")
	n := notificationsOf(t, env, sup)[0] // chief's
	base := "/api/collections/notifications/records"
	for _, email := range []string{"", "grid@yuetan.example", "staff@yuetan.example", "street@yuetan.example", "wg@yuetan.example",
		"secretary@yuetan.example", "chief@yuetan.example", "handler@yuetan.example", "sup@yuetan.example", demo.SuperuserEmail} {
		own := email == "chief@yuetan.example" || email == demo.SuperuserEmail
		list := env.Do(http.MethodGet, base+"?filter=(application='"+app.Id+"')", email, nil)
		items, _ := list.JSON(t)["items"].([]any)
		if list.Status != http.StatusOK || (len(items) == 1) != own {
			t.Errorf("%q lists %d of chief's notifications (status %d)", email, len(items), list.Status)
		}
		view := env.Do(http.MethodGet, base+"/"+n.Id, email, nil)
		if (view.Status == http.StatusOK) != own {
			t.Errorf("%q views chief's notification: %d", email, view.Status)
		}
		if email == demo.SuperuserEmail {
			continue
		}
		for _, w := range []struct{ method, url string }{
			{http.MethodPost, base},
			{http.MethodPatch, base + "/" + n.Id},
			{http.MethodDelete, base + "/" + n.Id},
			{http.MethodGet, "/api/collections/outbox/records"},
			{http.MethodPost, "/api/collections/outbox/records"},
		} {
			res := env.Do(w.method, w.url, email, map[string]any{"recipient": env.User("sup@yuetan.example").Id, "kind": "reminder", "title": "假", "text": "假", "read_at": "2026-01-01 00:00:00.000Z"})
			if res.Status < 400 {
				t.Errorf("%q %s %s: %d", email, w.method, w.url, res.Status)
			}
		}
	}
	// the application's contact person is out of reach through the inbox's relation
	for _, f := range []string{"application.contact_phone ~ '1'", "application.contact_name != ''"} {
		res := env.Do(http.MethodGet, base+"?filter="+url.QueryEscape(f), "chief@yuetan.example", nil)
		if res.Status != http.StatusForbidden {
			t.Errorf("the leader filters the inbox by %s: %d", f, res.Status)
		}
	}
	after, err := env.App.FindRecordById(notify.Notifications, n.Id)
	if err != nil || !after.GetDateTime(notify.NotifReadAt).IsZero() {
		t.Errorf("the notification was changed through the API (%v)", err)
	}
}

// TestMarkRead: the recipient marks one notification, then all, read;
// another user's ids are refused whole and change nothing; a guest is
// refused; bad bodies get a Chinese 400.
func TestMarkRead(t *testing.T) {
	env := testenv.New(t)
	app := application(t, env, subjNotified)
	var ids []string
	for range 3 {
		ids = append(ids, notificationsOf(t, env, remind(t, env, "sup@yuetan.example", app.Id, collections.SupReminder, "请抓紧。"))[0].Id)
	}
	other := notificationsOf(t, env, remind(t, env, "sup@yuetan.example", application(t, env, subjForwarded).Id, collections.SupReminder, "请审核。"))[0].Id
	read := func(email string, body any) testenv.Response {
		return env.Do(http.MethodPost, "/api/notifications/read", email, body)
	}
	isRead := func(id string) bool {
		r, err := env.App.FindRecordById(notify.Notifications, id)
		if err != nil {
			t.Fatal(err)
		}
		return !r.GetDateTime(notify.NotifReadAt).IsZero()
	}
	if res := read("", map[string]any{"ids": ids[:1]}); res.Status != http.StatusUnauthorized {
		t.Errorf("guest: %d", res.Status)
	}
	if res := read("chief@yuetan.example", map[string]any{"ids": []string{ids[0], other}}); res.Status != http.StatusNotFound || isRead(ids[0]) || isRead(other) {
		t.Errorf("another's id in the list: %d, changed %v %v", res.Status, isRead(ids[0]), isRead(other))
	}
	if res := read("wg@yuetan.example", map[string]any{"ids": ids[:1]}); res.Status != http.StatusNotFound || isRead(ids[0]) {
		t.Errorf("wg marks chief's: %d", res.Status)
	}
	for _, bad := range []any{map[string]any{}, map[string]any{"ids": make([]string, notify.MaxReadIDs+1)}, "not json"} {
		if res := read("chief@yuetan.example", bad); res.Status != http.StatusBadRequest {
			t.Errorf("bad body %v: %d", bad, res.Status)
		}
	}
	res := read("chief@yuetan.example", map[string]any{"ids": ids[:1]})
	if res.Status != http.StatusOK || res.JSON(t)["read"] != float64(1) || res.JSON(t)["unread"] != float64(2) || !isRead(ids[0]) {
		t.Errorf("mark one: %d %s", res.Status, res)
	}
	res = read("chief@yuetan.example", map[string]any{"all": true})
	if res.Status != http.StatusOK || res.JSON(t)["read"] != float64(2) || res.JSON(t)["unread"] != float64(0) || !isRead(ids[2]) || isRead(other) {
		t.Errorf("mark all: %d %s; another's read %v", res.Status, res, isRead(other))
	}
}
