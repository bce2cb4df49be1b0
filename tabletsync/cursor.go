package tabletsync

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// Cursor is a position in the change feed within one pull session. Clients
// treat its text as opaque.
type Cursor struct {
	Session int64 // the pull session (a full sync and what it handed out)
	Seq     int64 // the last change the client has
}

const (
	cursorVersion = 1
	maxCursorLen  = 64
)

// ErrCursor is returned for a cursor this server did not issue.
var ErrCursor = errors.New("invalid cursor")

// String encodes c: a version byte, two uvarints and a CRC-32, base64url.
func (c Cursor) String() string {
	buf := make([]byte, 0, 1+2*binary.MaxVarintLen64+4)
	buf = append(buf, cursorVersion)
	buf = binary.AppendUvarint(buf, uint64(c.Session))
	buf = binary.AppendUvarint(buf, uint64(c.Seq))
	buf = binary.BigEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf))
	return base64.RawURLEncoding.EncodeToString(buf)
}

// ParseCursor decodes s; "" is the zero cursor (a full initial sync).
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	if len(s) > maxCursorLen {
		return Cursor{}, ErrCursor
	}
	buf, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(buf) < 1+2+4 || buf[0] != cursorVersion {
		return Cursor{}, ErrCursor
	}
	body, sum := buf[:len(buf)-4], binary.BigEndian.Uint32(buf[len(buf)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return Cursor{}, ErrCursor
	}
	rest := body[1:]
	session, n := binary.Uvarint(rest)
	if n <= 0 {
		return Cursor{}, ErrCursor
	}
	rest = rest[n:]
	seq, n := binary.Uvarint(rest)
	if n <= 0 || n != len(rest) {
		return Cursor{}, ErrCursor
	}
	const maxInt = 1<<63 - 1
	if session == 0 || session > maxInt || seq > maxInt {
		return Cursor{}, ErrCursor
	}
	c := Cursor{Session: int64(session), Seq: int64(seq)}
	if c.String() != s {
		return Cursor{}, ErrCursor // one text per cursor
	}
	return c, nil
}
