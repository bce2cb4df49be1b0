package bodyguard_test

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"yuetan/bodyguard"
)

// TestFlushAndControllerPassThrough: a handler behind the guard can still
// stream (the realtime API is server-sent events) and reach the
// connection through http.ResponseController.
func TestFlushAndControllerPassThrough(t *testing.T) {
	got := make(chan struct{})
	srv := httptest.NewServer(bodyguard.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(ceiling)); err != nil {
			t.Errorf("SetWriteDeadline through the guard: %v", err)
		}
		_, _ = io.WriteString(w, "first\n")
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush through the guard: %v", err)
		}
		select { // the client has read "first" before the handler ends
		case <-got:
		case <-time.After(ceiling):
			t.Error("the flushed line never reached the client")
		}
		_, _ = io.WriteString(w, "second\n")
	})))
	defer srv.Close()
	res, err := http.Post(srv.URL, "text/plain", strings.NewReader(strings.Repeat("unread ", 100)))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first line %q, %v", line, err)
	}
	close(got)
	rest, _ := io.ReadAll(br)
	if string(rest) != "second\n" {
		t.Fatalf("rest %q", rest)
	}
}

// TestReadFromAndNoBody: io.Copy into the guarded writer (PocketBase
// serves files so) settles the body first; a request without a body is
// passed the very writer net/http gave.
func TestReadFromAndNoBody(t *testing.T) {
	var sawGuard bool
	srv := httptest.NewServer(bodyguard.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, sawGuard = w.(interface{ Unwrap() http.ResponseWriter })
		_, _ = io.Copy(w, strings.NewReader("file bytes"))
	})))
	defer srv.Close()
	for _, tc := range []struct {
		body  io.Reader
		guard bool
		close bool
	}{
		{nil, false, false},
		{strings.NewReader("small"), true, false},
		{strings.NewReader(strings.Repeat("x", bodyguard.DrainLimit+1)), true, true},
	} {
		req, _ := http.NewRequest("POST", srv.URL, tc.body)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if string(b) != "file bytes" || sawGuard != tc.guard || res.Close != tc.close {
			t.Errorf("body %q guard %v close %v, want guard %v close %v", b, sawGuard, res.Close, tc.guard, tc.close)
		}
	}
}
