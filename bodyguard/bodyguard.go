// Package bodyguard keeps an HTTP/1 connection in step with its requests
// when a handler answers without reading the whole request body.
//
// HTTP/1 puts the next request on the wire right after the body of the
// previous one. net/http drains or refuses a body its handler left unread,
// but it decides that by the type of req.Body, and PocketBase's router
// swaps req.Body for a rereadable wrapper and closes the original when the
// handler returns: net/http then takes the connection for reusable and
// parses the unread bytes of the body as further requests (an attacker
// embeds whole requests in a body answered early: a 401, a 404, even
// GET /api/health). Wrap settles the body itself, before the response
// header goes out: a small rest is read and discarded, otherwise the
// response carries "Connection: close" and the connection ends with it.
package bodyguard

import (
	"io"
	"net/http"
	"strings"
	"sync"
)

// DrainLimit is the most of an unread body Wrap reads and discards to keep
// the connection; past it the connection is closed instead.
const DrainLimit = 64 << 10

// Wrap returns next guarded: a request body next leaves unread is drained
// within DrainLimit or the connection is closed after the response.
// Requests without a body and HTTP/2 (framed, never out of step) pass
// through untouched.
func Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ProtoMajor != 1 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		orig := r.Body
		b := &body{rc: orig, length: r.ContentLength, expect: strings.EqualFold(r.Header.Get("Expect"), "100-continue")}
		r.Body = b
		g := &writer{ResponseWriter: w, body: b}
		next.ServeHTTP(g, r)
		g.settle()
		// net/http looks at req.Body after the handler (for a body closed
		// early); let it see its own again
		r.Body = orig
	})
}

// body counts what is read of the request body. Closing it does nothing:
// the guard decides what happens to the rest once the handler answers,
// and net/http closes the original itself.
type body struct {
	mu     sync.Mutex
	rc     io.ReadCloser
	length int64 // Content-Length, -1 when unknown (chunked)
	read   int64
	eof    bool
	err    error
	expect bool // the client waits for "100 Continue" before sending the body
}

func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.readLocked(p)
}

func (b *body) readLocked(p []byte) (int, error) {
	if b.eof {
		return 0, io.EOF
	}
	n, err := b.rc.Read(p)
	b.read += int64(n)
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil && b.err == nil:
		b.err = err
	}
	return n, err
}

func (b *body) Close() error { return nil }

// finish reads what is left of the body when that is within DrainLimit
// and reports whether the connection may carry another request.
func (b *body) finish() (reusable bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.eof:
		return true
	case b.err != nil:
		// a broken body (timeout, bad chunking): where the next request
		// would start is unknown
		return false
	case b.expect && b.read == 0:
		// the client has not been asked for the body: do not ask now
		return false
	case b.length >= 0 && b.length-b.read > DrainLimit:
		return false
	}
	buf := make([]byte, 4<<10)
	for budget := int64(DrainLimit); budget > 0; {
		n, err := b.readLocked(buf[:min(int64(len(buf)), budget)])
		budget -= int64(n)
		if b.eof {
			return true
		}
		if err != nil {
			return false
		}
	}
	// DrainLimit read and still more (chunked): one more byte tells
	n, _ := b.readLocked(buf[:1])
	return n == 0 && b.eof
}

// writer settles the request body before the response header is written.
type writer struct {
	http.ResponseWriter
	body    *body
	settled bool
}

// settle drains the rest of the body, or marks the response to close the
// connection, once, before the header is written.
func (g *writer) settle() {
	if g.settled {
		return
	}
	g.settled = true
	if !g.body.finish() {
		g.ResponseWriter.Header().Set("Connection", "close")
	}
}

// WriteHeader implements http.ResponseWriter.
func (g *writer) WriteHeader(code int) {
	if code >= 200 || code == http.StatusSwitchingProtocols {
		g.settle()
	}
	g.ResponseWriter.WriteHeader(code)
}

// Write implements http.ResponseWriter.
func (g *writer) Write(p []byte) (int, error) {
	g.settle()
	return g.ResponseWriter.Write(p)
}

// ReadFrom keeps net/http's sendfile path for served files.
func (g *writer) ReadFrom(r io.Reader) (int64, error) {
	g.settle()
	if rf, ok := g.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(writerOnly{g.ResponseWriter}, r)
}

// Flush implements http.Flusher (realtime is server-sent events).
func (g *writer) Flush() { _ = g.FlushError() }

// FlushError is what http.ResponseController calls to flush.
func (g *writer) FlushError() error {
	g.settle()
	return http.NewResponseController(g.ResponseWriter).Flush()
}

// Unwrap returns the wrapped writer (for http.ResponseController).
func (g *writer) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// writerOnly hides every method but Write (io.Copy must not loop back
// into ReadFrom).
type writerOnly struct{ io.Writer }
