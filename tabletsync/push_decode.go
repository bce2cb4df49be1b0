package tabletsync

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"

	"yuetan/collections"
	"yuetan/tabletsync/wire"
)

// uploads are a push's file parts, by mutation id and field.
type uploads map[string]map[string][]*filesystem.File

// DecodePush parses a push body strictly: known keys only, the right
// types, no trailing data, and the envelope's rules (client and mutation
// ids, at most wire.MaxMutations, known operations, pushable collections, no
// data on a delete). It needs no database; checkMutations does the rest.
// Errors are validation.Errors in PocketBase's shape.
func DecodePush(raw []byte) (*wire.PushRequest, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var req wire.PushRequest
	if err := dec.Decode(&req); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, validation.Errors{"body": validation.NewError("trailing_data", "请求体在 JSON 之后还有多余内容。")}
	}
	errs := validation.Errors{}
	if !validClientID(req.Client) {
		errs["client"] = validation.NewError("invalid_client", "设备编号无效：须为 1 到 100 个字母、数字或 . _ : -。")
	}
	if len(req.Mutations) > wire.MaxMutations {
		errs["mutations"] = validation.NewError("too_many_mutations",
			fmt.Sprintf("一次最多同步 %d 条变更，本次有 %d 条，请分批提交。", wire.MaxMutations, len(req.Mutations)))
		return nil, errs
	}
	if _, err := ParseCursor(req.Cursor); err != nil {
		errs["cursor"] = validation.NewError("invalid_cursor", "同步游标无效。")
	}
	perMutation := validation.Errors{}
	seen := make(map[string]bool, len(req.Mutations))
	for i, m := range req.Mutations {
		me := validation.Errors{}
		switch {
		case !validMutationID(m.ID):
			me["id"] = validation.NewError("invalid_mutation_id", "变更编号无效：须为 1 到 100 个字母、数字、_ 或 -。")
		case seen[m.ID]:
			me["id"] = validation.NewError("duplicate_mutation_id", "同一次同步中变更编号重复："+m.ID)
		}
		seen[m.ID] = true
		if !Pushable(m.Collection) {
			me["collection"] = validation.NewError("collection_not_pushable", "该数据不能从平板提交："+clip(m.Collection))
		}
		switch m.Op {
		case wire.OpCreate, wire.OpUpdate:
		case wire.OpDelete:
			if len(m.Data) > 0 {
				me["data"] = validation.NewError("data_on_delete", "删除操作不能携带数据。")
			}
		default:
			me["op"] = validation.NewError("invalid_op", "操作只能是 create、update 或 delete："+clip(m.Op))
		}
		if m.Record == "" || len(m.Record) > 64 {
			me["record"] = validation.NewError("invalid_record_id", "记录编号无效。")
		}
		if m.Base < 0 {
			me["base"] = validation.NewError("invalid_base", "base 不能为负数。")
		}
		if len(me) > 0 {
			perMutation[strconv.Itoa(i)] = me
		}
	}
	if len(perMutation) > 0 {
		errs["mutations"] = perMutation
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return &req, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return validation.Errors{field: validation.NewError("invalid_type",
			fmt.Sprintf("字段 %s 的类型错误：应为 %s，收到 %s。", field, typeErr.Type, typeErr.Value))}
	case errors.As(err, &syntaxErr):
		return validation.Errors{"body": validation.NewError("invalid_json", fmt.Sprintf("请求体不是有效的 JSON（第 %d 字节附近）。", syntaxErr.Offset))}
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return validation.Errors{"body": validation.NewError("unknown_field", "请求中有未知字段："+strings.TrimPrefix(err.Error(), "json: unknown field "))}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return validation.Errors{"body": validation.NewError("invalid_json", "请求体为空或不完整。")}
	}
	return validation.Errors{"body": validation.NewError("invalid_json", "请求体无法解析。")}
}

// checkMutations checks what needs the schema: the record id's format, the
// data's fields (each an existing, client-writable field) and file parts.
func checkMutations(app core.App, req *wire.PushRequest, files uploads) error {
	perMutation := validation.Errors{}
	for i := range req.Mutations {
		m := &req.Mutations[i]
		me := validation.Errors{}
		coll, err := app.FindCachedCollectionByNameOrId(m.Collection)
		if err != nil || coll.Name != m.Collection {
			me["collection"] = validation.NewError("collection_not_pushable", "该数据不能从平板提交："+clip(m.Collection))
			perMutation[strconv.Itoa(i)] = me
			continue
		}
		if !validRecordID(coll, m.Record) {
			me["record"] = validation.NewError("invalid_record_id", "记录编号格式无效："+clip(m.Record))
		}
		for key := range m.Data {
			name := fieldOfKey(key)
			f := coll.Fields.GetByName(name)
			switch {
			case f == nil:
				me["data"] = validation.NewError("unknown_field", "没有这个字段："+clip(key))
			case !clientWritable(f):
				me["data"] = validation.NewError("field_not_writable", "该字段由服务器设置，不能提交："+name)
			case name != key && !modifiable(f):
				me["data"] = validation.NewError("invalid_modifier", "该字段不支持 +/- 修饰："+clip(key))
			}
		}
		for field := range files[m.ID] {
			f := coll.Fields.GetByName(field)
			if _, ok := f.(*core.FileField); !ok || m.Op == wire.OpDelete {
				me["files"] = validation.NewError("invalid_file_part", "文件只能提交到图片或附件字段："+clip(m.ID+"."+field))
			}
		}
		if len(me) > 0 {
			perMutation[strconv.Itoa(i)] = me
		}
	}
	if len(perMutation) > 0 {
		return validation.Errors{"mutations": perMutation}
	}
	return nil
}

// fieldOfKey strips PocketBase's modifiers ("+photos", "photos+", "photos-").
func fieldOfKey(key string) string {
	return strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(key, "+"), "+"), "-")
}

func clientWritable(f core.Field) bool {
	switch f.GetName() {
	case collections.FieldID, collections.FieldCreated, collections.FieldUpdated:
		return false
	}
	if f.GetHidden() || f.GetSystem() {
		return false
	}
	_, auto := f.(*core.AutodateField)
	return !auto
}

func modifiable(f core.Field) bool {
	switch v := f.(type) {
	case *core.FileField:
		return true
	case *core.RelationField:
		return v.IsMultiple()
	case *core.SelectField:
		return v.IsMultiple()
	case *core.NumberField:
		return true
	}
	return false
}

var idPatterns sync.Map // pattern → *regexp.Regexp

func validRecordID(coll *core.Collection, id string) bool {
	f, ok := coll.Fields.GetByName(collections.FieldID).(*core.TextField)
	if !ok {
		return false
	}
	if (f.Min > 0 && len(id) < f.Min) || (f.Max > 0 && len(id) > f.Max) || id == "" {
		return false
	}
	if f.Pattern == "" {
		return validToken(id, 64, "_-")
	}
	re, ok := idPatterns.Load(f.Pattern)
	if !ok {
		compiled, err := regexp.Compile(f.Pattern)
		if err != nil {
			return false
		}
		re, _ = idPatterns.LoadOrStore(f.Pattern, compiled)
	}
	return re.(*regexp.Regexp).MatchString(id)
}

// mutationHash fingerprints the mutation's content, its files included, so
// a retry with the same id is recognised and a different payload under an
// old id is refused.
func mutationHash(m *wire.Mutation, files map[string][]*filesystem.File) (string, error) {
	h := sha256.New()
	head, err := json.Marshal(struct {
		Collection string         `json:"c"`
		Op         string         `json:"o"`
		Record     string         `json:"r"`
		Base       int64          `json:"b"`
		Data       map[string]any `json:"d"`
	}{m.Collection, m.Op, m.Record, m.Base, m.Data})
	if err != nil {
		return "", err
	}
	h.Write(head)
	for _, f := range slices.Sorted(maps.Keys(files)) {
		for _, file := range files[f] {
			fh := sha256.New()
			r, err := file.Reader.Open()
			if err != nil {
				return "", err
			}
			n, err := io.Copy(fh, r)
			r.Close()
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "|%s|%s|%d|%x", f, file.OriginalName, n, fh.Sum(nil))
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
