package bodyguard_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"yuetan/bodyguard"
	"yuetan/internal/testenv"
)

// ceiling bounds every wait on the server (never a pace: a shared 2-core
// machine under load still answers well within it).
const ceiling = 60 * time.Second

// smuggled is a body made of whole requests: if the server parsed what it
// left unread as requests, each would be answered on the connection.
func smuggled(size int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "GET /api/health?smuggled=%d HTTP/1.1\r\nHost: x\r\n\r\n", i)
	}
	return b.Bytes()
}

// chunked encodes body in HTTP/1.1 chunks of 8 KiB.
func chunked(body []byte) []byte {
	var b bytes.Buffer
	for len(body) > 0 {
		n := min(len(body), 8<<10)
		fmt.Fprintf(&b, "%x\r\n", n)
		b.Write(body[:n])
		b.WriteString("\r\n")
		body = body[n:]
	}
	b.WriteString("0\r\n\r\n")
	return b.Bytes()
}

// answer is one response read off the connection.
type answer struct {
	status int
	close  bool
	body   string
}

// exchange writes raw to a new connection to addr and reads every
// response until the server closes the connection. closed is false when
// the connection was still open at the ceiling.
func exchange(t *testing.T, addr string, raw []byte) (answers []answer, closed bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(ceiling))
	// read while writing: a server that answers early and closes must not
	// have its answer lost to a reset of the connection
	done := make(chan error, 1)
	go func() {
		_, err := c.Write(raw)
		done <- err
	}()
	br := bufio.NewReader(c)
	// ended tells a connection the server ended (EOF, reset) from one
	// still open at the ceiling
	ended := func(err error) bool {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return false
		}
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("reading response %d: %v", len(answers)+1, err)
		}
		return true
	}
	for {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			closed = ended(err)
			break
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		answers = append(answers, answer{status: res.StatusCode, close: res.Close, body: string(b)})
		if err != nil {
			closed = ended(err)
			break
		}
	}
	if closed {
		<-done
	}
	return answers, closed
}

// request is a raw HTTP/1.1 request; body is sent with Content-Length,
// or chunked when te is true. A length > 0 claims that Content-Length
// whatever is sent.
type request struct {
	method, path string
	headers      []string
	body         []byte
	te           bool
	length       int
}

func (r request) bytes() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: yuetan.test\r\n", r.method, r.path)
	for _, h := range r.headers {
		b.WriteString(h + "\r\n")
	}
	switch {
	case r.te:
		b.WriteString("Transfer-Encoding: chunked\r\n\r\n")
		b.Write(chunked(r.body))
	case r.body != nil || r.length > 0:
		n := r.length
		if n == 0 {
			n = len(r.body)
		}
		fmt.Fprintf(&b, "Content-Length: %d\r\n\r\n", n)
		b.Write(r.body)
	default:
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

// early is every kind of answer given without reading the body.
func early(env *testenv.Env) []struct {
	name   string
	req    request
	status int
} {
	grid := "Authorization: " + env.Token("grid@yuetan.example")
	schema := "X-Sync-Schema: 1"
	return []struct {
		name   string
		req    request
		status int
	}{
		{"200 GET /api/health", request{method: "GET", path: "/api/health"}, http.StatusOK},
		{"200 GET / (the web app)", request{method: "GET", path: "/"}, http.StatusOK},
		{"401 push without a token", request{method: "POST", path: "/api/sync/push", headers: []string{schema}}, http.StatusUnauthorized},
		{"426 push without X-Sync-Schema", request{method: "POST", path: "/api/sync/push", headers: []string{grid}}, http.StatusUpgradeRequired},
		{"404 unknown path", request{method: "POST", path: "/api/nope"}, http.StatusNotFound},
		{"400 bad create", request{method: "POST", path: "/api/collections/issues/records", headers: []string{grid, "Content-Type: text/plain"}}, http.StatusBadRequest},
		{"307 from the mux (path cleaning)", request{method: "POST", path: "/api//health"}, http.StatusTemporaryRedirect},
	}
}

// TestEarlyAnswerNeverRunsTheBody sends, for each kind of early answer, a
// 300 KB body of pipelined requests (with Content-Length and chunked),
// then one more request that closes the connection: the first is answered
// and the connection closes, or (had the route read the whole body) the
// last is answered after it; never a request from inside the body.
func TestEarlyAnswerNeverRunsTheBody(t *testing.T) {
	env := testenv.New(t)
	addr := env.Serve().Listener.Addr().String()
	body := smuggled(300 << 10)
	last := request{method: "GET", path: "/api/nope-last", headers: []string{"Connection: close"}}
	for _, tc := range early(env) {
		for _, te := range []bool{false, true} {
			name := tc.name
			if te {
				name += " (chunked)"
			}
			t.Run(name, func(t *testing.T) {
				req := tc.req
				req.body, req.te = body, te
				answers, closed := exchange(t, addr, append(req.bytes(), last.bytes()...))
				if !closed {
					t.Fatalf("the connection stayed open (%d responses)", len(answers))
				}
				if len(answers) == 0 || answers[0].status != tc.status {
					t.Fatalf("answers %+v, want %d first", answers, tc.status)
				}
				switch {
				case len(answers) == 1 && answers[0].close:
				case len(answers) == 2 && answers[1].status == http.StatusNotFound && strings.Contains(answers[1].body, "404"):
					t.Logf("the route read the whole body; the last request got its own answer")
				default:
					t.Fatalf("%d responses on the connection, want 1 (the body's requests ran)", len(answers))
				}
			})
		}
	}
	// 413: the push refuses a body over its limit by Content-Length alone
	t.Run("413 push over the body limit", func(t *testing.T) {
		req := request{method: "POST", path: "/api/sync/push",
			headers: []string{"Authorization: " + env.Token("grid@yuetan.example"), "X-Sync-Schema: 1", "Content-Type: application/json"},
			body:    body, length: 300 << 20}
		answers, closed := exchange(t, addr, req.bytes())
		if len(answers) != 1 || answers[0].status != http.StatusRequestEntityTooLarge {
			t.Fatalf("answers %+v, want exactly one 413", answers)
		}
		if !closed {
			t.Error("the connection stayed open")
		}
	})
}

// TestSmallUnreadBodyKeepsTheConnection: a small body answered unread is
// read and thrown away, and the requests pipelined after it get their own
// answers on the same connection: none from inside the body.
func TestSmallUnreadBodyKeepsTheConnection(t *testing.T) {
	env := testenv.New(t)
	addr := env.Serve().Listener.Addr().String()
	next := request{method: "GET", path: "/api/collections/orgs/records?perPage=1",
		headers: []string{"Authorization: " + env.Token("grid@yuetan.example")}}
	last := request{method: "GET", path: "/api/nope-last", headers: []string{"Connection: close"}}
	for _, tc := range early(env) {
		for _, size := range []int{1 << 10, bodyguard.DrainLimit - 200} {
			for _, te := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s, %d bytes, chunked %v", tc.name, size, te), func(t *testing.T) {
					req := tc.req
					req.body, req.te = smuggled(size)[:size], te
					raw := append(append(req.bytes(), next.bytes()...), last.bytes()...)
					answers, closed := exchange(t, addr, raw)
					if len(answers) != 3 {
						t.Fatalf("%d responses, want 3 (the request, the next, the last): %+v", len(answers), answers)
					}
					if answers[0].status != tc.status || answers[0].close {
						t.Errorf("first: status %d close %v, want %d on a kept connection", answers[0].status, answers[0].close, tc.status)
					}
					var page struct {
						Items []map[string]any `json:"items"`
					}
					if answers[1].status != http.StatusOK || json.Unmarshal([]byte(answers[1].body), &page) != nil || len(page.Items) != 1 {
						t.Errorf("next: %d %.200s, want the orgs page", answers[1].status, answers[1].body)
					}
					if answers[2].status != http.StatusNotFound || !closed {
						t.Errorf("last: %d (closed %v), want 404 and the end", answers[2].status, closed)
					}
				})
			}
		}
	}
}

// TestTabletAfter413 is the tablet's side: a push too large for the
// server is refused, and the tablet's next request on its keep-alive
// client gets its own answer (not a plain-text 400 for the rest of the
// refused body).
func TestTabletAfter413(t *testing.T) {
	env := testenv.New(t)
	srv := env.Serve()
	client := &http.Client{Timeout: ceiling, Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	token := env.Token("grid@yuetan.example")
	send := func(method, path string, body []byte) (int, string) {
		req, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		req.Header.Set("Authorization", token)
		req.Header.Set("X-Sync-Schema", "1")
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// a JSON push over its 16 MB bound, with 512 KB more than the server reads
	big := []byte(`{"client":"tablet-1","mutations":[],"pad":"` + strings.Repeat("x", 16<<20+512<<10) + `"}`)
	for i := range 3 {
		if st, b := send("POST", "/api/sync/push", big); st != http.StatusRequestEntityTooLarge {
			t.Fatalf("round %d: push: %d %.200s, want 413", i, st, b)
		}
		st, b := send("GET", "/api/collections/orgs/records?perPage=1", nil)
		if st != http.StatusOK || !strings.Contains(b, `"items"`) {
			t.Fatalf("round %d: the next request: %d %.200q, want the orgs page", i, st, b)
		}
	}
}
