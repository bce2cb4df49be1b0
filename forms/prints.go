package forms

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"yuetan/collections"
	"yuetan/pdf"
	"yuetan/savectx"
)

// FormPrints is the print register: one row per PDF produced, on demand,
// by the archive command or as an archive copy. Only the server writes it;
// its nil API rules leave REST access to superusers. The public verify
// route reads it.
const (
	FormPrints   = "form_prints"
	FormPrintsID = "pbc_form_prints"

	PrintCode             = "code"
	PrintForm             = "form"
	PrintRecordCollection = "record_collection"
	PrintRecordID         = "record_id"
	PrintSerial           = "serial"
	PrintProducedBy       = "produced_by"
	PrintProducedByName   = "produced_by_name"
	PrintProducedAt       = "produced_at"
	PrintContentHash      = "content_hash"
	PrintArchive          = "archive"
)

// Who produced a print when it was no signed-in user (produced_by).
const (
	ProducerSuperuser = "superuser"
	ProducerSystem    = "system"
)

// codeAlphabet has no 0/O and 1/I, so a code read off paper is unambiguous.
const (
	codeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	codeLen      = 10
)

// NewFormPrints builds the form_prints collection.
func NewFormPrints() *core.Collection {
	c := core.NewBaseCollection(FormPrints, FormPrintsID)
	c.Fields.Add(
		&core.TextField{Name: PrintCode, Required: true, Min: codeLen, Max: codeLen, Pattern: "^[" + codeAlphabet + "]+$"},
		&core.SelectField{Name: PrintForm, Values: pdf.Forms(), MaxSelect: 1, Required: true},
		&core.TextField{Name: PrintRecordCollection, Max: 50},
		&core.TextField{Name: PrintRecordID, Max: 50, Required: true},
		&core.TextField{Name: PrintSerial, Max: 100},
		&core.TextField{Name: PrintProducedBy, Max: 50, Required: true},
		&core.TextField{Name: PrintProducedByName, Max: 100},
		&core.DateField{Name: PrintProducedAt, Required: true},
		&core.TextField{Name: PrintContentHash, Min: 64, Max: 64, Required: true},
		&core.BoolField{Name: PrintArchive},
		&core.AutodateField{Name: collections.FieldCreated, OnCreate: true},
	)
	c.AddIndex("idx_form_prints_code", true, PrintCode, "")
	c.AddIndex("idx_form_prints_record", false, PrintRecordCollection+", "+PrintRecordID, "")
	// nil rules: superusers only through REST
	return c
}

// newCode returns a fresh random verification code (50 bits).
func newCode() (string, error) {
	b := make([]byte, codeLen)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)] // 256 is a multiple of 32: no bias
	}
	return string(b), nil
}

// normalizeCode turns what a reader typed (lower case, dashes, spaces)
// into a code, or "" when it cannot be one.
func normalizeCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "", "\u3000", "").Replace(s))
	if len(s) != codeLen {
		return ""
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return ""
		}
	}
	return s
}

// producer is who a print is registered to.
type producer struct {
	id, name string
}

// producerOf names the actor of a save or a request: a user by id and
// name, a superuser or the system.
func producerOf(a savectx.Actor) producer {
	switch {
	case a.Record == nil:
		return producer{ProducerSystem, "系统"}
	case a.IsSuperuser():
		return producer{ProducerSuperuser, "超级管理员"}
	}
	return producer{a.Record.Id, a.Record.GetString(collections.UserName)}
}

// contentHash is the sha256 of the canonical JSON of a form's data with
// its Meta zeroed: what the paper says about the record, not when or by
// whom it was printed.
func (m *mapped) contentHash() (string, error) {
	saved := *m.meta
	*m.meta = pdf.Meta{}
	raw, err := json.Marshal(m.data)
	*m.meta = saved
	if err != nil {
		return "", fmt.Errorf("forms: hash %s: %w", m.form.Name, err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}

// stamp gives m a fresh verification code, its verify URL and the time of
// printing.
func (m *mapped) stamp(baseURL string, at time.Time) error {
	code, err := newCode()
	if err != nil {
		return fmt.Errorf("forms: verification code: %w", err)
	}
	m.meta.VerifyCode = code
	m.meta.VerifyURL = strings.TrimRight(baseURL, "/") + "/api/forms/verify/" + code
	m.meta.GeneratedAt = at
	return nil
}

// register writes m's print row (m must be stamped). A code that is
// already taken (about one in 10¹⁵) is an error the caller may retry.
func register(app core.App, m *mapped, by producer, archive bool) (*core.Record, error) {
	c, err := app.FindCachedCollectionByNameOrId(FormPrints)
	if err != nil {
		return nil, fmt.Errorf("forms: print register: %w", err)
	}
	hash, err := m.contentHash()
	if err != nil {
		return nil, err
	}
	r := core.NewRecord(c)
	r.Set(PrintCode, m.meta.VerifyCode)
	r.Set(PrintForm, m.form.Name)
	r.Set(PrintRecordCollection, m.collection)
	r.Set(PrintRecordID, m.recordID)
	r.Set(PrintSerial, m.serial)
	r.Set(PrintProducedBy, by.id)
	r.Set(PrintProducedByName, by.name)
	r.Set(PrintProducedAt, m.meta.GeneratedAt)
	r.Set(PrintContentHash, hash)
	r.Set(PrintArchive, archive || m.archive)
	if err := app.SaveWithContext(savectx.AsSystem(context.Background()), r); err != nil {
		return nil, fmt.Errorf("forms: register print %s: %w", m.form.Name, err)
	}
	return r, nil
}

// stampUnique stamps m with a code that is not in the register yet.
func stampUnique(app core.App, m *mapped, baseURL string, at time.Time) error {
	for range 5 {
		if err := m.stamp(baseURL, at); err != nil {
			return err
		}
		if taken, _ := app.FindFirstRecordByData(FormPrints, PrintCode, m.meta.VerifyCode); taken == nil {
			return nil
		}
	}
	return errors.New("forms: no free verification code")
}

// produce stamps, renders and registers m: the path every PDF served or
// exported takes (archive copies register inside their save, see archive.go).
func produce(app core.App, m *mapped, baseURL string, at time.Time, by producer) ([]byte, error) {
	if err := stampUnique(app, m, baseURL, at); err != nil {
		return nil, err
	}
	b, err := m.pdf()
	if err != nil {
		return nil, err
	}
	if _, err := register(app, m, by, false); err != nil {
		return nil, err
	}
	return b, nil
}
