package messages

import (
	"net/http"
	"sort"
	"strings"

	"github.com/pocketbase/pocketbase/tools/router"
)

// Chinese makes sure an error a person will read is in Chinese: field
// messages from PocketBase's validators are translated by code, and an
// English top-level message is replaced by one naming the fields.
func Chinese(e *router.ApiError) *router.ApiError {
	var fields []string
	for name, v := range e.Data {
		item, ok := v.(map[string]any)
		if !ok {
			continue
		}
		fields = append(fields, name)
		// the messages of PocketBase's validators, in Chinese (one table, the REST API's)
		item["message"] = FieldMessage(item)
	}
	if HasHan(e.Message) {
		return e
	}
	sort.Strings(fields)
	switch {
	case e.Status == http.StatusBadRequest && len(fields) > 0:
		first := e.Data[fields[0]].(map[string]any)["message"].(string)
		e.Message = "提交的数据未通过校验：" + fields[0] + " " + strings.TrimSuffix(first, "。")
		if len(fields) > 1 {
			e.Message += "（另有 " + strings.Join(fields[1:], "、") + " 有误）"
		}
		e.Message += "。"
	case e.Status == http.StatusForbidden:
		e.Message = "您无权进行此操作。"
	case e.Status == http.StatusNotFound:
		e.Message = "记录不存在，或您无权访问。"
	case e.Status >= 500:
		e.Message = "服务器处理这条变更时出错。"
	default:
		e.Message = "这条变更未能保存。"
	}
	return e
}
