package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Login signs in with a password and keeps the token and the user record.
func (c *Client) Login(ctx context.Context, email, password string) (map[string]any, error) {
	token, user, err := Login(ctx, c.HTTP, c.server, email, password)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(user)
	if err != nil {
		return nil, err
	}
	if err := c.setMeta("user", string(raw)); err != nil {
		return nil, err
	}
	return user, c.SetToken(token)
}

// Login signs email in on server and returns the token and user record.
func Login(ctx context.Context, hc *http.Client, server, email, password string) (string, map[string]any, error) {
	body, err := json.Marshal(map[string]string{"identity": email, "password": password})
	if err != nil {
		return "", nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, server+"/api/collections/users/auth-with-password", bytes.NewReader(body))
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer res.Body.Close()
	var out struct {
		Token  string         `json:"token"`
		Record map[string]any `json:"record"`
	}
	if res.StatusCode != http.StatusOK {
		raw, err := io.ReadAll(res.Body)
		return "", nil, errors.Join(fmt.Errorf("login %s: %d %s", email, res.StatusCode, raw), err)
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return "", nil, err
	}
	return out.Token, out.Record, nil
}

// User returns the signed-in user's record as of the last Login (a
// failure to read it is kept for Err).
func (c *Client) User() map[string]any {
	raw, err := c.meta("user")
	if err != nil || raw == "" {
		c.record(err)
		return nil
	}
	var u map[string]any
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		c.record(fmt.Errorf("user: %w", err))
		return nil
	}
	return u
}
