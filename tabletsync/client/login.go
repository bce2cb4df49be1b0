package client

import (
	"bytes"
	"context"
	"encoding/json"
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
	raw, _ := json.Marshal(user)
	if err := c.setMeta("user", string(raw)); err != nil {
		return nil, err
	}
	return user, c.SetToken(token)
}

// Login signs email in on server and returns the token and user record.
func Login(ctx context.Context, hc *http.Client, server, email, password string) (string, map[string]any, error) {
	body, _ := json.Marshal(map[string]string{"identity": email, "password": password})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, server+"/api/collections/users/auth-with-password", bytes.NewReader(body))
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
		raw, _ := io.ReadAll(res.Body)
		return "", nil, fmt.Errorf("login %s: %d %s", email, res.StatusCode, raw)
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return "", nil, err
	}
	return out.Token, out.Record, nil
}

// User returns the signed-in user's record as of the last Login.
func (c *Client) User() map[string]any {
	raw, _ := c.meta("user")
	var u map[string]any
	json.Unmarshal([]byte(raw), &u)
	return u
}
