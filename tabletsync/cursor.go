package tabletsync

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// Cursor is a position in the change feed within one pull session, in
// the epoch it was issued in (epoch.go). Clients treat its text as opaque.
type Cursor struct {
	Epoch   int64 // the server epoch that issued it (0: a cursor of before epochs)
	Session int64 // the pull session (a full sync and what it handed out)
	Seq     int64 // the last change the client has
	// Mark is the highest feed position the holder has been told of: its
	// pulls and the seqs of its acknowledged mutations (≥ Seq).
	Mark int64
}

const (
	cursorVersion   = 2
	cursorVersionV1 = 1 // session and seq only
	maxCursorLen    = 64
)

// ErrCursor is returned for a cursor this server did not issue.
var ErrCursor = errors.New("invalid cursor")

// String encodes c: a version byte, uvarints (epoch, session, seq, mark −
// seq) and a CRC-32, base64url.
func (c Cursor) String() string {
	buf := make([]byte, 0, 1+4*binary.MaxVarintLen64+4)
	if c.Epoch == 0 {
		buf = append(buf, cursorVersionV1)
	} else {
		buf = append(buf, cursorVersion)
		buf = binary.AppendUvarint(buf, uint64(c.Epoch))
	}
	buf = binary.AppendUvarint(buf, uint64(c.Session))
	buf = binary.AppendUvarint(buf, uint64(c.Seq))
	if c.Epoch != 0 {
		buf = binary.AppendUvarint(buf, uint64(c.Mark-c.Seq))
	}
	buf = binary.BigEndian.AppendUint32(buf, crc32.ChecksumIEEE(buf))
	return base64.RawURLEncoding.EncodeToString(buf)
}

// ParseCursor decodes s; "" is the zero cursor (a full initial sync). A
// cursor of the first version (no epoch) decodes with Epoch 0.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	if len(s) > maxCursorLen {
		return Cursor{}, ErrCursor
	}
	buf, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(buf) < 1+2+4 || (buf[0] != cursorVersion && buf[0] != cursorVersionV1) {
		return Cursor{}, ErrCursor
	}
	body, sum := buf[:len(buf)-4], binary.BigEndian.Uint32(buf[len(buf)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return Cursor{}, ErrCursor
	}
	rest := body[1:]
	n := 2
	if body[0] == cursorVersion {
		n = 4
	}
	var v [4]uint64
	for i := range n {
		x, k := binary.Uvarint(rest)
		if k <= 0 {
			return Cursor{}, ErrCursor
		}
		v[i], rest = x, rest[k:]
	}
	if len(rest) != 0 {
		return Cursor{}, ErrCursor
	}
	const maxInt = 1<<63 - 1
	var c Cursor
	if n == 4 {
		if v[0] == 0 || v[0] > maxInt || v[3] > maxInt-v[2] {
			return Cursor{}, ErrCursor
		}
		c = Cursor{Epoch: int64(v[0]), Session: int64(v[1]), Seq: int64(v[2]), Mark: int64(v[2] + v[3])}
	} else {
		c = Cursor{Session: int64(v[0]), Seq: int64(v[1])}
	}
	if c.Session <= 0 || uint64(c.Session) > maxInt || c.Seq < 0 || uint64(c.Seq) > maxInt {
		return Cursor{}, ErrCursor
	}
	if c.String() != s {
		return Cursor{}, ErrCursor // one text per cursor
	}
	return c, nil
}
