package listrule

import (
	"strings"

	"github.com/ganigeorgiev/fexpr"
	"github.com/pocketbase/pocketbase/core"
)

// Specialize rewrites an API rule for one caller: "@request.auth.<field>"
// becomes the caller's value (a non-empty single text, select or relation
// value), comparisons of two literals become true or false, and the
// branches they decide are dropped. The rule then means the same for that
// caller, but SQLite no longer evaluates the other roles' branches (and
// PocketBase no longer joins what only they read) on every row a pull
// looks at. A guest (nil auth) has every value empty. always/never report
// a rule that became constant. ok is false when the rule has something
// this does not rewrite (functions); use it unchanged then.
func Specialize(rule string, auth *core.Record) (out string, always, never, ok bool) {
	groups, err := fexpr.Parse(rule)
	if err != nil {
		return rule, false, false, false
	}
	s := specializer{auth: auth, ok: true}
	v, text := s.groups(groups)
	if !s.ok {
		return rule, false, false, false
	}
	switch v {
	case yes:
		return "", true, false, true
	case no:
		return "", false, true, true
	}
	return stripOuter(text), false, false, true
}

// stripOuter drops parentheses around the whole text.
func stripOuter(text string) string {
	for len(text) > 1 && text[0] == '(' && text[len(text)-1] == ')' {
		depth, quote, wraps := 0, byte(0), true
		for i := 0; i < len(text); i++ {
			c := text[i]
			switch {
			case quote != 0:
				if c == '\\' {
					i++
				} else if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '(':
				depth++
			case c == ')':
				depth--
				if depth == 0 && i < len(text)-1 {
					wraps = false
				}
			}
			if !wraps {
				break
			}
		}
		if !wraps {
			break
		}
		text = text[1 : len(text)-1]
	}
	return text
}

type truth int

const (
	unknown truth = iota
	yes
	no
)

type specializer struct {
	auth *core.Record
	ok   bool
}

// groups simplifies a flat list joined by && and || (&& binding tighter,
// as in the SQL PocketBase builds from it).
func (s *specializer) groups(gs []fexpr.ExprGroup) (truth, string) {
	var terms [][]string // OR of ANDs; nil entry: a true AND-term
	var current []string
	currentFalse := false
	anyTrue := false
	flush := func() {
		switch {
		case currentFalse:
		case len(current) == 0:
			anyTrue = true
		default:
			terms = append(terms, current)
		}
		current, currentFalse = nil, false
	}
	for i, g := range gs {
		if i > 0 && g.Join == fexpr.JoinOr {
			flush()
		}
		var v truth
		var text string
		switch item := g.Item.(type) {
		case fexpr.Expr:
			v, text = s.expr(item)
		case []fexpr.ExprGroup:
			v, text = s.groups(item)
			text = "(" + text + ")"
		case fexpr.ExprGroup:
			v, text = s.groups([]fexpr.ExprGroup{item})
			text = "(" + text + ")"
		default:
			s.ok = false
			return unknown, ""
		}
		switch v {
		case no:
			currentFalse = true
		case unknown:
			current = append(current, text)
		}
	}
	flush()
	switch {
	case anyTrue:
		return yes, ""
	case len(terms) == 0:
		return no, ""
	}
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = strings.Join(t, " && ")
		if len(t) > 1 && len(terms) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return unknown, strings.Join(parts, " || ")
}

func (s *specializer) expr(e fexpr.Expr) (truth, string) {
	l, lEmpty := s.token(e.Left)
	r, rEmpty := s.token(e.Right)
	if !s.ok {
		return unknown, ""
	}
	// an empty value of the caller's is decided only against a literal:
	// "" = "x" is false in SQL as here (a guest's role checks, say)
	if eqOrNeq := e.Op == fexpr.SignEq || e.Op == fexpr.SignNeq; eqOrNeq {
		if lEmpty && r.Type == fexpr.TokenText {
			l = fexpr.Token{Type: fexpr.TokenText}
		}
		if rEmpty && l.Type == fexpr.TokenText {
			r = fexpr.Token{Type: fexpr.TokenText}
		}
	}
	if l.Type == fexpr.TokenText && r.Type == fexpr.TokenText {
		switch e.Op {
		case fexpr.SignEq:
			if l.Literal == r.Literal {
				return yes, ""
			}
			return no, ""
		case fexpr.SignNeq:
			if l.Literal != r.Literal {
				return yes, ""
			}
			return no, ""
		}
	}
	return unknown, tokenText(l) + " " + string(e.Op) + " " + tokenText(r)
}

// token substitutes the caller's own field values; empty reports a
// single value of the caller's that is empty (left as it is: PocketBase
// compares empty values with COALESCE and NULL).
func (s *specializer) token(t fexpr.Token) (_ fexpr.Token, empty bool) {
	switch t.Type {
	case fexpr.TokenFunction:
		s.ok = false
		return t, false
	case fexpr.TokenIdentifier:
	default:
		return t, false
	}
	name, found := strings.CutPrefix(t.Literal, "@request.auth.")
	if !found || strings.ContainsAny(name, ".:") {
		return t, false
	}
	if s.auth == nil {
		return t, true // a guest: PocketBase reads every auth field as empty
	}
	var v string
	if name == core.FieldNameId {
		v = s.auth.Id
	} else {
		switch f := s.auth.Collection().Fields.GetByName(name).(type) {
		case *core.TextField:
		case *core.SelectField:
			if f.IsMultiple() {
				return t, false
			}
		case *core.RelationField:
			if f.IsMultiple() {
				return t, false
			}
		default:
			return t, false
		}
		v = s.auth.GetString(name)
	}
	if v == "" {
		return t, true
	}
	return fexpr.Token{Type: fexpr.TokenText, Literal: v}, false
}

func tokenText(t fexpr.Token) string {
	if t.Type != fexpr.TokenText {
		return t.Literal
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(t.Literal) + `"`
}
