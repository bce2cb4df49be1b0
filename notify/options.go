package notify

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"
)

// Settings for `serve` (environment variables, read when serving starts;
// a malformed value stops serve with a clear error):
//
//	YUETAN_SMS_WEBHOOK_URL     the SMS gateway's webhook (http or https); SMS is off when empty
//	YUETAN_SMS_WEBHOOK_SECRET  the key of the X-Yuetan-Signature HMAC (at least 16 characters; required with the URL)
//	YUETAN_NOTIFY_INTERVAL     how often the worker looks for due rows besides each new notification (default 10s)
//	YUETAN_NOTIFY_LEASE        how long a claimed row is the claiming worker's (default 2m)
//
// E-mail goes out when the dashboard's mail settings (SMTP) are on.
const (
	EnvSMSURL    = "YUETAN_SMS_WEBHOOK_URL"
	EnvSMSSecret = "YUETAN_SMS_WEBHOOK_SECRET"
	EnvInterval  = "YUETAN_NOTIFY_INTERVAL"
	EnvLease     = "YUETAN_NOTIFY_LEASE"
)

// Defaults.
const (
	DefaultInterval    = 10 * time.Second
	DefaultLease       = 2 * time.Minute
	DefaultMaxAttempts = 10
	// the first retry waits FirstBackoff, each next one twice as long, at most MaxBackoff
	FirstBackoff = 30 * time.Second
	MaxBackoff   = time.Hour
	// MinSecretLength is the shortest webhook secret accepted.
	MinSecretLength = 16
)

// ErrBadOptions marks a malformed setting.
var ErrBadOptions = errors.New("通知设置有误")

// Options configure delivery.
type Options struct {
	SMSURL, SMSSecret string
	Interval          time.Duration // between scans (default DefaultInterval)
	Lease             time.Duration // a claim's lifetime (default DefaultLease)
	MaxAttempts       int           // tries before a row fails (default DefaultMaxAttempts)
}

// withDefaults fills the zero values.
func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	return o
}

// sendTimeout bounds one send: well inside the lease, so a send never
// outlives its claim.
func (o Options) sendTimeout() time.Duration {
	return min(15*time.Second, o.Lease/2)
}

// Validate says in Chinese what is wrong with o.
func (o Options) Validate() error {
	if o.SMSURL == "" {
		return nil
	}
	u, err := url.Parse(o.SMSURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w：%s=%q 不是 http(s) 地址", ErrBadOptions, EnvSMSURL, o.SMSURL)
	}
	if len(o.SMSSecret) < MinSecretLength {
		return fmt.Errorf("%w：设置了 %s 时必须设置 %s（至少 %d 个字符），短信网关用它验证请求的签名", ErrBadOptions, EnvSMSURL, EnvSMSSecret, MinSecretLength)
	}
	return nil
}

// OptionsFromEnv reads the settings from the environment.
func OptionsFromEnv() (Options, error) {
	o := Options{SMSURL: os.Getenv(EnvSMSURL), SMSSecret: os.Getenv(EnvSMSSecret)}
	for _, d := range []struct {
		name string
		to   *time.Duration
	}{{EnvInterval, &o.Interval}, {EnvLease, &o.Lease}} {
		if v := os.Getenv(d.name); v != "" {
			n, err := time.ParseDuration(v)
			if err != nil || n <= 0 {
				return Options{}, fmt.Errorf("%w：%s=%q 无效：应为正的时长，如 10s、2m", ErrBadOptions, d.name, v)
			}
			*d.to = n
		}
	}
	if err := o.Validate(); err != nil {
		return Options{}, err
	}
	return o.withDefaults(), nil
}
