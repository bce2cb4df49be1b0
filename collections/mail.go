package collections

import (
	"github.com/pocketbase/pocketbase/core"
)

// SenderName is who the auth mails come from.
const SenderName = "群众约谈"

// SenderAddress is the sender until the operator sets one (the dashboard's
// mail settings, or --public-url, which uses noreply@ its host).
const SenderAddress = "noreply@yuetan.example"

// mailButton is a link styled as the mail layout's button.
func mailButton(path, text string) string {
	return `<p><a class="btn" href="` + core.EmailPlaceholderAppURL + path + core.EmailPlaceholderToken + `" target="_blank" rel="noopener">` + text + `</a></p>`
}

const mailSignature = `<p>` + core.EmailPlaceholderAppName + `</p>`

// SetChineseMail gives an auth collection Chinese templates for every mail
// PocketBase sends on its behalf: e-mail verification, password reset,
// e-mail change, one-time password and the new-location sign-in alert.
// (PocketBase's defaults are English; no English reaches a person.)
func SetChineseMail(c *core.Collection) {
	c.VerificationTemplate = core.EmailTemplate{
		Subject: core.EmailPlaceholderAppName + "：请验证您的邮箱",
		Body: `<p>您好：</p>
<p>请点击下面的按钮，验证您在` + core.EmailPlaceholderAppName + `使用的邮箱地址。</p>
` + mailButton("/_/#/auth/confirm-verification/", "验证邮箱") + `
<p><i>如果您没有申请验证，请忽略本邮件。</i></p>
` + mailSignature,
	}
	c.ResetPasswordTemplate = core.EmailTemplate{
		Subject: core.EmailPlaceholderAppName + "：重置密码",
		Body: `<p>您好：</p>
<p>请点击下面的按钮重置您的密码。</p>
` + mailButton("/_/#/auth/confirm-password-reset/", "重置密码") + `
<p><i>如果您没有申请重置密码，请忽略本邮件，您的密码不会改变。</i></p>
` + mailSignature,
	}
	c.ConfirmEmailChangeTemplate = core.EmailTemplate{
		Subject: core.EmailPlaceholderAppName + "：确认新的邮箱地址",
		Body: `<p>您好：</p>
<p>请点击下面的按钮，确认把账号的邮箱改为本邮箱。</p>
` + mailButton("/_/#/auth/confirm-email-change/", "确认新邮箱") + `
<p><i>如果您没有申请更改邮箱，请忽略本邮件。</i></p>
` + mailSignature,
	}
	c.OTP.EmailTemplate = core.EmailTemplate{
		Subject: core.EmailPlaceholderAppName + "：一次性验证码",
		Body: `<p>您好：</p>
<p>您的一次性验证码是：<strong>` + core.EmailPlaceholderOTP + `</strong></p>
<p><i>验证码几分钟内有效。如果您没有申请验证码，请忽略本邮件。</i></p>
` + mailSignature,
	}
	c.AuthAlert.EmailTemplate = core.EmailTemplate{
		Subject: core.EmailPlaceholderAppName + "：您的账号在新的设备上登录",
		Body: `<p>您好：</p>
<p>您的` + core.EmailPlaceholderAppName + `账号刚刚在新的设备或位置登录：</p>
<p><em>` + core.EmailPlaceholderAlertInfo + `</em></p>
<p><strong>如果不是您本人操作，请立即修改密码（修改后其他设备上的登录全部失效），并告知管理员。</strong></p>
<p>如果是您本人登录，请忽略本邮件。</p>
` + mailSignature,
	}
}
