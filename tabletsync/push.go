package tabletsync

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/siteurl"
)

// Result is the outcome of one mutation, in the order of the push.
type Result struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	// Outcome is, for a duplicate, what the first push of it got.
	Outcome string `json:"outcome,omitempty"`
	// Seq is the record's feed position after the mutation (the base for
	// the tablet's next edit of it).
	Seq int64 `json:"seq,omitempty"`
	// Record is the record as the server has it now (applied, duplicate,
	// conflict), as the caller may see it.
	Record *core.Record `json:"record,omitempty"`
	// Error says why a mutation was rejected or conflicted, in
	// PocketBase's error shape with a message for people.
	Error *router.ApiError `json:"error,omitempty"`

	collection, record string
	show               bool
	first              int64        // the first feed seq the mutation wrote
	saved              *core.Record // the record as this mutation saved it
}

// PushResponse is the body of POST /api/sync/push. Cursor echoes the
// client's pull cursor: a push never moves it, so the next pull brings the
// tablet's own writes back with what the server set on them.
type PushResponse struct {
	Results []Result `json:"results"`
	Cursor  string   `json:"cursor"`
}

func (s *service) push(e *core.RequestEvent) error {
	if err := checkSchema(e); err != nil {
		return err
	}
	req, err := readPush(e)
	if err != nil {
		return err
	}
	if err := checkMutations(e.App, req); err != nil {
		return apis.NewBadRequestError("同步请求中有无效的变更，本次未写入任何数据。", err)
	}
	hashes := make([]string, len(req.Mutations))
	for i := range req.Mutations {
		if hashes[i], err = req.Mutations[i].hash(); err != nil {
			return apis.NewBadRequestError("无法读取随变更提交的文件。", err)
		}
	}
	results, err := s.apply(e.App, e.Auth, siteurl.Origin(e.Request), req, hashes)
	if err != nil {
		e.App.Logger().Error("sync push", "client", req.Client, "error", err)
		return apis.NewInternalServerError("同步失败，本次未写入任何数据，请稍后重试。", err)
	}
	if err := showRecords(e, results); err != nil {
		return apis.NewInternalServerError("", err)
	}
	return e.JSON(http.StatusOK, PushResponse{Results: results, Cursor: req.Cursor})
}

// readPush reads a JSON body, or a multipart one whose "@jsonPayload" part
// is the JSON and whose file parts are named "<mutation id>.<field>".
func readPush(e *core.RequestEvent) (*PushRequest, error) {
	tooLarge := func(err error) bool {
		var mb *http.MaxBytesError
		return errors.As(err, &mb)
	}
	if !strings.HasPrefix(e.Request.Header.Get("Content-Type"), "multipart/form-data") {
		raw, err := io.ReadAll(io.LimitReader(e.Request.Body, MaxPushJSON+1))
		if tooLarge(err) || len(raw) > MaxPushJSON {
			return nil, router.NewApiError(http.StatusRequestEntityTooLarge, "同步数据过大，请分批提交。", nil)
		}
		if err != nil {
			return nil, apis.NewBadRequestError("无法读取同步请求。", err)
		}
		req, err := DecodePush(raw)
		if err != nil {
			return nil, apis.NewBadRequestError("同步请求格式错误，本次未写入任何数据。", err)
		}
		return req, nil
	}
	if err := e.Request.ParseMultipartForm(32 << 20); err != nil {
		if tooLarge(err) {
			return nil, router.NewApiError(http.StatusRequestEntityTooLarge, "同步数据过大，请分批提交。", nil)
		}
		return nil, apis.NewBadRequestError("无法读取同步请求（multipart）。", err)
	}
	form := e.Request.MultipartForm
	payload := form.Value["@jsonPayload"]
	if len(payload) != 1 || len(payload[0]) > MaxPushJSON {
		return nil, badRequest("@jsonPayload", "missing_payload", "multipart 同步请求须有且只有一个 @jsonPayload 部分。")
	}
	req, err := DecodePush([]byte(payload[0]))
	if err != nil {
		return nil, apis.NewBadRequestError("同步请求格式错误，本次未写入任何数据。", err)
	}
	byID := make(map[string]*Mutation, len(req.Mutations))
	for i := range req.Mutations {
		byID[req.Mutations[i].ID] = &req.Mutations[i]
	}
	for key, headers := range form.File {
		id, field, ok := strings.Cut(key, ".")
		m := byID[id]
		if !ok || m == nil || field == "" {
			return nil, badRequest("files", "unknown_file_part", "文件部分的名称须为“变更编号.字段名”，且变更编号在本次同步中："+clip(key))
		}
		for _, fh := range headers {
			f, err := filesystem.NewFileFromMultipart(fh)
			if err != nil {
				return nil, apis.NewBadRequestError("无法读取随变更提交的文件。", err)
			}
			if m.files == nil {
				m.files = map[string][]*filesystem.File{}
			}
			m.files[field] = append(m.files[field], f)
		}
	}
	for k := range form.Value {
		if k != "@jsonPayload" {
			return nil, badRequest("body", "unknown_part", "multipart 同步请求中有未知部分："+clip(k))
		}
	}
	return req, nil
}
