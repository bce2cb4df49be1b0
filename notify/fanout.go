package notify

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"yuetan/collections"
	"yuetan/workflow"
)

// Message is what a notification says, composed from the supervision
// record and its application. Title is the server's own words alone
// (kind, serial, subject: never a resident's name or phone, never free
// text); Text adds the application's stage and the author's note, and
// stays inside the system (the inbox): the e-mail and the SMS, which pass
// through outside servers, carry only Title.
type Message struct {
	Title, Text, AuthorName string
}

// Compose writes the message of sup about application, by author (nil:
// the deadline job).
func Compose(sup, application, author *core.Record) Message {
	kind := workflow.SupervisionKinds.Label(sup.GetString(collections.SupKind))
	serial := application.GetString(collections.AppSerial)
	if serial == "" {
		serial = "未编号申请"
	}
	m := Message{Title: fmt.Sprintf("%s：%s“%s”", kind, serial, application.GetString(collections.AppSubject))}
	m.Text = fmt.Sprintf("%s（%s）。", m.Title, workflow.StatusLabels[application.GetString(collections.AppStatus)])
	if note := sup.GetString(collections.SupNote); note != "" {
		m.Text += note
	}
	m.AuthorName = "系统（期限监督）"
	if author != nil {
		m.AuthorName = author.GetString(collections.UserName)
		if t := author.GetString(collections.UserTitle); t != "" {
			m.AuthorName += "（" + t + "）"
		}
	}
	return m
}

// FanOut writes, with tx (the supervision's own transaction), the
// notifications sup earns and their outbox rows, and returns how many
// notifications it wrote. opts says which channels are on.
func FanOut(tx core.App, sup *core.Record, opts Options, now time.Time) (int, error) {
	appID := sup.GetString(collections.SupApplication)
	if appID == "" {
		return 0, nil
	}
	application, err := tx.FindRecordById(collections.Applications, appID)
	if err != nil {
		return 0, fmt.Errorf("notify: application %s: %w", appID, err)
	}
	recipients, err := Recipients(tx, sup, application)
	if err != nil || len(recipients) == 0 {
		return 0, err
	}
	var author *core.Record
	if id := sup.GetString(collections.SupCreatedBy); id != "" {
		author, _ = tx.FindRecordById(collections.Users, id)
	}
	msg := Compose(sup, application, author)
	notifications, err := tx.FindCachedCollectionByNameOrId(Notifications)
	if err != nil {
		return 0, err
	}
	outbox, err := tx.FindCachedCollectionByNameOrId(Outbox)
	if err != nil {
		return 0, err
	}
	at, err := types.ParseDateTime(now.UTC())
	if err != nil {
		return 0, err
	}
	mailOn := tx.Settings().SMTP.Enabled
	for _, u := range recipients {
		n := core.NewRecord(notifications)
		n.Set(NotifRecipient, u.Id)
		n.Set(NotifKind, sup.GetString(collections.SupKind))
		n.Set(NotifApplication, appID)
		n.Set(NotifSupervision, sup.Id)
		n.Set(NotifTitle, msg.Title)
		n.Set(NotifText, msg.Text)
		n.Set(NotifAuthorName, msg.AuthorName)
		if author != nil {
			n.Set(NotifAuthor, author.Id)
		}
		if err := tx.Save(n); err != nil {
			return 0, fmt.Errorf("notify: notification for %s: %w", u.Id, err)
		}
		for _, ch := range Channels {
			row := core.NewRecord(outbox)
			row.Set(OutNotification, n.Id)
			row.Set(OutChannel, ch)
			row.Set(OutNextTry, at)
			status, reason := StatusPending, ""
			switch {
			case ch == ChannelInApp:
				// the inbox record is the delivery; realtime pushes it on commit
				status = StatusSent
				row.Set(OutSentAt, at)
			case ch == ChannelEmail && !mailOn:
				status, reason = StatusSkipped, "未配置邮件服务器（SMTP），只发站内通知。"
			case ch == ChannelEmail && u.Email() == "":
				status, reason = StatusSkipped, "用户没有登记邮箱，只发站内通知。"
			case ch == ChannelSMS && opts.SMSURL == "":
				status, reason = StatusSkipped, "未配置短信网关，只发站内通知。"
			case ch == ChannelSMS && u.GetString(collections.UserPhone) == "":
				status, reason = StatusSkipped, "用户没有登记手机号，只发站内通知。"
			}
			row.Set(OutStatus, status)
			row.Set(OutLastError, reason)
			if err := tx.Save(row); err != nil {
				return 0, fmt.Errorf("notify: outbox %s for %s: %w", ch, u.Id, err)
			}
		}
	}
	return len(recipients), nil
}
