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
	"yuetan/tabletsync/wire"
)

// result is one mutation's outcome as the push works it out: what the
// tablet is told and what the server needs of it after the commit.
type result struct {
	wire.Result[*core.Record]

	collection, record string
	show               bool
	first              int64        // the first feed seq the mutation wrote
	saved              *core.Record // the record as this mutation saved it
}

func newResult(m *wire.Mutation) result {
	r := result{collection: m.Collection, record: m.Record}
	r.ID = m.ID
	return r
}

// PushResponse is the body of POST /api/sync/push, with the server's records.
type PushResponse = wire.PushResponse[*core.Record]

func (s *service) push(e *core.RequestEvent) error {
	if err := checkSchema(e); err != nil {
		return err
	}
	req, files, err := readPush(e)
	if err != nil {
		return err
	}
	cur, err := s.pushCursor(e.App, req.Cursor)
	if err != nil {
		return err
	}
	if err := checkMutations(e.App, req, files); err != nil {
		return apis.NewBadRequestError("同步请求中有无效的变更，本次未写入任何数据。", err)
	}
	hashes := make([]string, len(req.Mutations))
	for i := range req.Mutations {
		if hashes[i], err = mutationHash(&req.Mutations[i], files[req.Mutations[i].ID]); err != nil {
			return apis.NewBadRequestError("无法读取随变更提交的文件。", err)
		}
	}
	results, err := s.apply(e.App, e.Auth, siteurl.Origin(e.Request), req, files, hashes)
	if err != nil {
		e.App.Logger().Error("sync push", "client", req.Client, "error", err)
		return apis.NewInternalServerError("同步失败，本次未写入任何数据，请稍后重试。", err)
	}
	if err := showRecords(e, results); err != nil {
		return apis.NewInternalServerError("", err)
	}
	out := PushResponse{Results: make([]wire.Result[*core.Record], len(results)), Cursor: answerCursor(cur, req.Cursor, results)}
	for i, r := range results {
		out.Results[i] = r.Result
	}
	return e.JSON(http.StatusOK, out)
}

// readPush reads a JSON body, or a multipart one whose "@jsonPayload" part
// is the JSON and whose file parts are named "<mutation id>.<field>".
func readPush(e *core.RequestEvent) (*wire.PushRequest, uploads, error) {
	tooLarge := func(err error) bool {
		var mb *http.MaxBytesError
		return errors.As(err, &mb)
	}
	if !strings.HasPrefix(e.Request.Header.Get("Content-Type"), "multipart/form-data") {
		raw, err := io.ReadAll(io.LimitReader(e.Request.Body, wire.MaxPushJSON+1))
		if tooLarge(err) || len(raw) > wire.MaxPushJSON {
			return nil, nil, router.NewApiError(http.StatusRequestEntityTooLarge, "同步数据过大，请分批提交。", nil)
		}
		if err != nil {
			return nil, nil, apis.NewBadRequestError("无法读取同步请求。", err)
		}
		req, err := DecodePush(raw)
		if err != nil {
			return nil, nil, apis.NewBadRequestError("同步请求格式错误，本次未写入任何数据。", err)
		}
		return req, nil, nil
	}
	if err := e.Request.ParseMultipartForm(32 << 20); err != nil {
		if tooLarge(err) {
			return nil, nil, router.NewApiError(http.StatusRequestEntityTooLarge, "同步数据过大，请分批提交。", nil)
		}
		return nil, nil, apis.NewBadRequestError("无法读取同步请求（multipart）。", err)
	}
	form := e.Request.MultipartForm
	payload := form.Value["@jsonPayload"]
	if len(payload) != 1 || len(payload[0]) > wire.MaxPushJSON {
		return nil, nil, badRequest("@jsonPayload", "missing_payload", "multipart 同步请求须有且只有一个 @jsonPayload 部分。")
	}
	req, err := DecodePush([]byte(payload[0]))
	if err != nil {
		return nil, nil, apis.NewBadRequestError("同步请求格式错误，本次未写入任何数据。", err)
	}
	files := uploads{}
	for _, m := range req.Mutations {
		files[m.ID] = nil
	}
	for key, headers := range form.File {
		id, field, ok := strings.Cut(key, ".")
		if _, known := files[id]; !ok || !known || field == "" {
			return nil, nil, badRequest("files", "unknown_file_part", "文件部分的名称须为“变更编号.字段名”，且变更编号在本次同步中："+clip(key))
		}
		for _, fh := range headers {
			f, err := filesystem.NewFileFromMultipart(fh)
			if err != nil {
				return nil, nil, apis.NewBadRequestError("无法读取随变更提交的文件。", err)
			}
			if files[id] == nil {
				files[id] = map[string][]*filesystem.File{}
			}
			files[id][field] = append(files[id][field], f)
		}
	}
	for k := range form.Value {
		if k != "@jsonPayload" {
			return nil, nil, badRequest("body", "unknown_part", "multipart 同步请求中有未知部分："+clip(k))
		}
	}
	return req, files, nil
}
