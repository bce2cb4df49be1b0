package sync

import (
	"net/http"
	"sort"
	"strings"
	"unicode"

	"github.com/pocketbase/pocketbase/tools/router"
)

// fieldMessages are Chinese messages for PocketBase's own validation
// codes, so a tablet shows the person what is wrong in their language.
var fieldMessages = map[string]string{
	"validation_required":                  "不能为空。",
	"validation_nil_or_not_empty_required": "不能为空。",
	"validation_invalid_format":            "格式不正确。",
	"validation_invalid_value":             "取值无效。",
	"validation_values_mismatch":           "取值无效。",
	"validation_invalid_json":              "须为有效的 JSON。",
	"validation_invalid_url":               "须为有效的网址。",
	"validation_is_email":                  "须为有效的电子邮箱。",
	"validation_max_text_constraint":       "内容过长。",
	"validation_min_text_constraint":       "内容过短。",
	"validation_length_out_of_range":       "长度不符合要求。",
	"validation_length_too_long":           "内容过长。",
	"validation_max_number_constraint":     "数值过大。",
	"validation_min_number_constraint":     "数值过小。",
	"validation_only_int_constraint":       "须为整数。",
	"validation_not_a_number":              "须为数字。",
	"validation_not_enough_values":         "选择的项目太少。",
	"validation_too_many_values":           "选择的项目太多。",
	"validation_missing_rel_records":       "关联的记录不存在或无权访问。",
	"validation_missing_rel_collection":    "关联的数据不存在。",
	"validation_not_unique":                "该值已被使用，须唯一。",
	"validation_too_many_files":            "文件数量超过上限。",
	"validation_invalid_file":              "文件类型或大小不符合要求。",
	"validation_invalid_latitude":          "纬度须在 -90 到 90 之间。",
	"validation_invalid_longitude":         "经度须在 -180 到 180 之间。",
	"validation_pk_invalid":                "记录编号无效或已被使用。",
	"validation_invalid_or_existing_id":    "记录编号无效或已被使用。",
	"validation_forbidden_pk_character":    "记录编号含有不允许的字符。",
	"validation_match_invalid":             "格式不正确。",
	"validation_in_invalid":                "取值无效。",
}

// chinese makes sure an error a person will read is in Chinese: field
// messages from PocketBase's validators are translated by code, and an
// English top-level message is replaced by one naming the fields.
func chinese(e *router.ApiError) *router.ApiError {
	var fields []string
	for name, v := range e.Data {
		item, ok := v.(map[string]any)
		if !ok {
			continue
		}
		fields = append(fields, name)
		msg, _ := item["message"].(string)
		if hasHan(msg) {
			continue
		}
		code, _ := item["code"].(string)
		if zh, ok := fieldMessages[code]; ok {
			item["message"] = zh
		} else {
			item["message"] = "取值无效。"
		}
	}
	if hasHan(e.Message) {
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

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
