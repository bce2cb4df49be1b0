package migrations

import (
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// chineseMailJSON holds the mail templates as released.
//
//go:embed 1764000300_chinese_mail.json
var chineseMailJSON []byte

// Every mail PocketBase sends for an auth collection in Chinese, from
// 群众约谈 instead of "Support <support@example.com>". The templates are
// the ones collections.SetChineseMail wrote when this was released.
func init() {
	m.Register(func(app core.App) error {
		var mail struct {
			Verification       core.EmailTemplate `json:"verificationTemplate"`
			ResetPassword      core.EmailTemplate `json:"resetPasswordTemplate"`
			ConfirmEmailChange core.EmailTemplate `json:"confirmEmailChangeTemplate"`
			OTP                core.EmailTemplate `json:"otpTemplate"`
			AuthAlert          core.EmailTemplate `json:"authAlertTemplate"`
		}
		if err := json.Unmarshal(chineseMailJSON, &mail); err != nil {
			return fmt.Errorf("chinese mail snapshot: %w", err)
		}
		for _, name := range []string{"users", core.CollectionNameSuperusers} {
			err := update(app, name, func(c *core.Collection) error {
				c.VerificationTemplate = mail.Verification
				c.ResetPasswordTemplate = mail.ResetPassword
				c.ConfirmEmailChangeTemplate = mail.ConfirmEmailChange
				c.OTP.EmailTemplate = mail.OTP
				c.AuthAlert.EmailTemplate = mail.AuthAlert
				return nil
			})
			if err != nil {
				return fmt.Errorf("chinese mail: %w", err)
			}
		}
		settings := app.Settings()
		if settings.Meta.SenderAddress == "support@example.com" {
			settings.Meta.SenderName = "群众约谈"
			settings.Meta.SenderAddress = "noreply@yuetan.example"
		}
		if err := app.Save(settings); err != nil {
			return fmt.Errorf("chinese mail sender: %w", err)
		}
		return nil
	}, nil)
}
