package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"yuetan/tabletsync/wire"
)

// apiError is a non-2xx answer.
type apiError struct {
	Status int
	Body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("server answered %d: %.300s", e.Status, e.Body) }

// retryable: the network failed or the server did (5xx); the request may
// or may not have been applied, so it is sent again unchanged.
func retryable(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status >= 500 || ae.Status == http.StatusTooManyRequests
	}
	return !errors.Is(err, ErrUpgrade) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// send does one request with the schema header and the token.
func (c *Client) send(ctx context.Context, method, path, contentType string, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set(wire.SchemaHeader, strconv.Itoa(wire.SchemaVersion))
	if c.token != "" {
		req.Header.Set("Authorization", c.token)
	}
	res, err := c.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	switch {
	case res.StatusCode == http.StatusUpgradeRequired:
		return ErrUpgrade
	case res.StatusCode != http.StatusOK:
		return &apiError{Status: res.StatusCode, Body: string(raw)}
	}
	return json.Unmarshal(raw, out)
}

// withRetry repeats fn while it fails in a retryable way.
func (c *Client) withRetry(ctx context.Context, fn func() error) error {
	var deadline time.Time
	if c.Retry > 0 {
		deadline = time.Now().Add(c.Retry)
	}
	wait := 100 * time.Millisecond
	for {
		err := fn()
		if err == nil || !retryable(err) || ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline)) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
		wait = min(wait*2, 2*time.Second)
	}
}
