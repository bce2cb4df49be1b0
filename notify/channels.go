package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/mailer"

	"yuetan/collections"
	"yuetan/siteurl"
)

// The SMS webhook's headers.
const (
	// HeaderIdempotencyKey carries the outbox row's id: the same on every
	// try of one message, so the receiver can drop a repeat.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderTimestamp is the send time in Unix seconds, part of the signature.
	HeaderTimestamp = "X-Yuetan-Timestamp"
	// HeaderSignature is "sha256=" and the hex HMAC-SHA256, keyed with the
	// webhook secret, of the timestamp, ".", and the body.
	HeaderSignature = "X-Yuetan-Signature"
)

// SMS is the JSON body the webhook receives.
type SMS struct {
	ID    string `json:"id"` // the idempotency key again
	Phone string `json:"phone"`
	Text  string `json:"text"`
}

// Sign returns the X-Yuetan-Signature value of body sent at timestamp.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte("."))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is body's, sent at timestamp (for
// receivers; it does not judge the timestamp's age).
func Verify(secret, timestamp string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature))
}

// outcome is how one try ended.
type outcome struct {
	skip      string // no address: the row is skipped with this reason
	err       error  // the try failed
	permanent bool   // and retrying cannot help
}

// smsText is the SMS: the title and where to read the rest.
func smsText(n *core.Record) string {
	return "【群众约谈】" + n.GetString(NotifTitle) + "。详情请登录系统查看。"
}

// sendSMS posts one message to the webhook.
func sendSMS(ctx context.Context, client *http.Client, opts Options, key string, n, user *core.Record, now time.Time) outcome {
	phone := strings.TrimSpace(user.GetString(collections.UserPhone))
	if phone == "" {
		return outcome{skip: "用户没有登记手机号，只发站内通知。"}
	}
	body, err := json.Marshal(SMS{ID: key, Phone: phone, Text: smsText(n)})
	if err != nil {
		return outcome{err: err, permanent: true}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, opts.SMSURL, bytes.NewReader(body))
	if err != nil {
		return outcome{err: err, permanent: true}
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set(HeaderIdempotencyKey, key)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(opts.SMSSecret, ts, body))
	res, err := client.Do(req)
	if err != nil {
		return outcome{err: fmt.Errorf("短信网关无法连接：%w", err)}
	}
	defer res.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(res.Body, 300))
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return outcome{}
	case res.StatusCode == http.StatusRequestTimeout || res.StatusCode == http.StatusTooManyRequests || res.StatusCode >= 500:
		return outcome{err: fmt.Errorf("短信网关暂时失败（%d）：%s", res.StatusCode, strings.TrimSpace(string(answer)))}
	}
	return outcome{err: fmt.Errorf("短信网关拒绝（%d）：%s", res.StatusCode, strings.TrimSpace(string(answer))), permanent: true}
}

// sendMail sends one message through PocketBase's mailer, in Chinese.
func sendMail(app core.App, key string, n, user *core.Record) outcome {
	to := user.Email()
	if to == "" {
		return outcome{skip: "用户没有登记邮箱，只发站内通知。"}
	}
	meta := app.Settings().Meta
	from := mail.Address{Name: meta.SenderName, Address: meta.SenderAddress}
	if from.Address == "" {
		from = mail.Address{Name: collections.SenderName, Address: collections.SenderAddress}
	}
	title := n.GetString(NotifTitle)
	link := siteurl.Configured(app)
	if link == "" {
		link = siteurl.Listening(app)
	}
	link += "/#/inbox"
	name := user.GetString(collections.UserName)
	by := n.GetString(NotifAuthorName)
	text := fmt.Sprintf("%s您好：\n\n%s发来%s。\n\n请登录群众约谈查看并办理：%s\n\n群众约谈", name, by, title, link)
	body := fmt.Sprintf(`<p>%s您好：</p>
<p>%s发来%s。</p>
<p><a class="btn" href="%s" target="_blank" rel="noopener">登录查看并办理</a></p>
<p>群众约谈</p>`, html.EscapeString(name), html.EscapeString(by), html.EscapeString(title), html.EscapeString(link))
	msg := &mailer.Message{
		From:    from,
		To:      []mail.Address{{Name: name, Address: to}},
		Subject: "群众约谈：" + title,
		HTML:    body,
		Text:    text,
		// the same Message-ID on every try: a mail client shows a repeat as one
		Headers: map[string]string{"Message-ID": "<" + key + "@notify.yuetan>", "X-Yuetan-Outbox": key},
	}
	if err := app.NewMailClient().Send(msg); err != nil {
		return outcome{err: fmt.Errorf("邮件发送失败：%w", err)}
	}
	return outcome{}
}
