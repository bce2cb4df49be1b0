package collections

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// TypeErrors checks that each value of a write's data has the type its
// field takes, keyed by field with a Chinese message; nil when all fit.
// PocketBase coerces what does not fit (an object for a text becomes "",
// "nope" for a location becomes 0,0, a date that does not parse becomes
// empty, which the hooks then fill with now), so a wrong type would be
// applied silently. form says the values came from a multipart form,
// where every value is a string: there a number, a boolean, a date or a
// location must be a string that parses as one. Keys may carry
// PocketBase's modifiers ("+photos", "issues-", "count+"); keys that are
// no field are left to the caller.
func TypeErrors(c *core.Collection, data map[string]any, form bool) validation.Errors {
	errs := validation.Errors{}
	for key, v := range data {
		name := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(key, "+"), "+"), "-")
		f := c.Fields.GetByName(name)
		if f == nil || v == nil {
			continue
		}
		modifier := name != key
		if want := typeMismatch(f, v, form, modifier); want != "" {
			errs[name] = validation.NewError("invalid_type", fmt.Sprintf("字段 %s 的类型不对：应为%s，收到%s。", name, want, describe(v)))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// typeMismatch returns what f takes when v is not that ("" when v fits).
func typeMismatch(f core.Field, v any, form, modifier bool) string {
	switch f := f.(type) {
	case *core.TextField, *core.EditorField, *core.EmailField, *core.URLField, *core.PasswordField:
		if _, ok := v.(string); !ok {
			return "文字"
		}
	case *core.NumberField:
		if !isNumber(v, form) {
			return "数字"
		}
	case *core.BoolField:
		switch s := v.(type) {
		case bool:
		case string:
			if _, err := strconv.ParseBool(s); !form || (s != "" && err != nil) {
				return "是或否（true/false）"
			}
		default:
			return "是或否（true/false）"
		}
	case *core.DateField:
		s, ok := v.(string)
		if !ok {
			return "日期时间文字（如 2026-12-01 09:30:00.000Z）"
		}
		// (ParseDateTime answers a zero time without an error for text
		// that is no date at all)
		if d, err := types.ParseDateTime(s); s != "" && (err != nil || d.IsZero()) {
			return "日期时间文字（如 2026-12-01 09:30:00.000Z）"
		}
	case *core.SelectField:
		if !isIDs(v, f.IsMultiple() || modifier) {
			return choiceOf(f.IsMultiple() || modifier, "选项")
		}
	case *core.RelationField:
		if !isIDs(v, f.IsMultiple() || modifier) {
			return choiceOf(f.IsMultiple() || modifier, "记录编号")
		}
	case *core.FileField:
		if !isIDs(v, true) {
			return "文件名或文件名列表"
		}
	case *core.GeoPointField:
		if s, ok := v.(string); ok && form {
			var m any
			if json.Unmarshal([]byte(s), &m) != nil {
				return "经纬度（{\"lon\": 121.5, \"lat\": 29.8}）"
			}
			v = m
		}
		if !isGeoPoint(v) {
			return "经纬度（{\"lon\": 121.5, \"lat\": 29.8}）"
		}
	}
	return ""
}

func choiceOf(many bool, what string) string {
	if many {
		return what + "或" + what + "列表"
	}
	return "一个" + what
}

func isNumber(v any, form bool) bool {
	switch n := v.(type) {
	case float64, float32, int, int64, int32, json.Number:
		return true
	case string:
		if !form {
			return false
		}
		_, err := strconv.ParseFloat(n, 64)
		return n == "" || err == nil
	}
	return false
}

// isIDs reports whether v is a string, or (when many) a list of strings.
func isIDs(v any, many bool) bool {
	switch l := v.(type) {
	case string:
		return true
	case []string:
		return many
	case []any:
		if !many {
			return false
		}
		for _, x := range l {
			if _, ok := x.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

func isGeoPoint(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 2 {
		return false
	}
	for _, k := range []string{"lon", "lat"} {
		if !isNumber(m[k], false) {
			return false
		}
	}
	return true
}

// describe names v's JSON type for people.
func describe(v any) string {
	switch v.(type) {
	case string:
		return "文字"
	case bool:
		return "是或否"
	case float64, float32, int, int64, int32, json.Number:
		return "数字"
	case []any, []string:
		return "列表"
	case map[string]any:
		return "对象"
	}
	return fmt.Sprintf("%T", v)
}
