package migrations

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// PocketBase's rate limits on (they are off by default), for sign-in and
// the mails it sends, the sync push and the forms. PocketBase counts per
// client IP (behind a proxy, set Settings › Trusted proxy), per rule and
// route, in fixed windows. A tablet fleet behind one NAT shares its
// address: the limits leave room for a community office signing in at
// once; a password guesser gets 30 tries a minute instead of 12 a second.
// Rules an operator already turned on are left alone.
func init() {
	m.Register(func(app core.App) error {
		settings := app.Settings()
		if settings.RateLimits.Enabled {
			return nil
		}
		settings.RateLimits.Rules = []core.RateLimitRule{
			// auth-with-password, -otp, -oauth2, each route and collection counted apart
			{Label: "*:auth", MaxRequests: 30, Duration: 60},
			// the routes that send a mail, and the ones that check its token
			{Label: "*:requestOTP", MaxRequests: 10, Duration: 60},
			{Label: "*:requestPasswordReset", MaxRequests: 5, Duration: 60},
			{Label: "*:requestVerification", MaxRequests: 5, Duration: 60},
			{Label: "*:requestEmailChange", MaxRequests: 5, Duration: 60},
			{Label: "*:confirmPasswordReset", MaxRequests: 10, Duration: 60},
			{Label: "*:confirmVerification", MaxRequests: 10, Duration: 60},
			{Label: "*:confirmEmailChange", MaxRequests: 10, Duration: 60},
			// every tablet behind one address pushes its outbox in batches of 100
			{Label: "POST /api/sync/push", MaxRequests: 120, Duration: 60},
			// each form is a PDF rendered on request
			{Label: "/api/forms/", MaxRequests: 60, Duration: 60},
		}
		settings.RateLimits.Enabled = true
		if err := app.Save(settings); err != nil {
			return fmt.Errorf("rate limits: %w", err)
		}
		return nil
	}, nil)
}
