// Package messages owns what people read of an error: PocketBase's
// validator codes in Chinese (fields.go), the punctuation and top-level
// messages of API errors (errors.go). The REST middleware (apis) and the
// sync API use the same ones.
package messages

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// PocketBase (and ozzo-validation under it) say what is wrong with a
// field in English, with a code and its parameters. The people who meet
// these messages (a clerk attaching a scan, a grid worker's tablet) read
// Chinese: each code they can meet has its message here, filled with the
// parameters; a code not listed gets a plain Chinese "not valid".
var fieldMessages = map[string]func(p params) string{
	"validation_required":                        fixed("此项不能为空。"),
	"validation_nil_or_not_empty_required":       fixed("此项不能为空。"),
	"validation_not_nil_required":                fixed("此项不能为空。"),
	"validation_invalid_format":                  fixed("格式不正确。"),
	"validation_match_invalid":                   fixed("格式不正确。"),
	"validation_invalid_value":                   fixed("取值无效，请从给出的选项中选择。"),
	"validation_in_invalid":                      fixed("取值无效，请从给出的选项中选择。"),
	"validation_values_mismatch":                 fixed("两次填写的内容不一致。"),
	"validation_invalid_json":                    fixed("须为有效的 JSON。"),
	"validation_json_size_limit":                 fixed("内容过大。"),
	"validation_invalid_url":                     fixed("须为有效的网址。"),
	"validation_is_email":                        fixed("须为有效的电子邮箱地址。"),
	"validation_email_domain_not_allowed":        fixed("不接受这个邮箱域名。"),
	"validation_not_unique":                      fixed("该值已被使用，须唯一。"),
	"validation_invalid_password":                fixed("密码不正确。"),
	"validation_min_text_constraint":             func(p params) string { return "至少填写 " + p.num("min") + " 个字。" },
	"validation_max_text_constraint":             func(p params) string { return "不能超过 " + p.num("max") + " 个字。" },
	"validation_length_too_long":                 func(p params) string { return "不能超过 " + p.num("max") + " 个字。" },
	"validation_length_too_short":                func(p params) string { return "至少填写 " + p.num("min") + " 个字。" },
	"validation_length_out_of_range":             func(p params) string { return "长度须在 " + p.num("min") + " 到 " + p.num("max") + " 之间。" },
	"validation_min_number_constraint":           func(p params) string { return "不能小于 " + p.num("min") + "。" },
	"validation_max_number_constraint":           func(p params) string { return "不能大于 " + p.num("max") + "。" },
	"validation_min_greater_equal_than_required": func(p params) string { return "不能小于 " + p.num("threshold") + "。" },
	"validation_max_less_equal_than_required":    func(p params) string { return "不能大于 " + p.num("threshold") + "。" },
	"validation_only_int_constraint":             fixed("须为整数。"),
	"validation_not_a_number":                    fixed("须为数字。"),
	"validation_date_invalid":                    fixed("须为有效的日期。"),
	"validation_invalid_latitude":                fixed("纬度须在 -90 到 90 之间。"),
	"validation_invalid_longitude":               fixed("经度须在 -180 到 180 之间。"),
	"validation_not_enough_values":               func(p params) string { return "至少选择 " + p.num("minSelect") + " 项。" },
	"validation_too_many_values":                 func(p params) string { return "最多选择 " + p.num("maxSelect") + " 项。" },
	"validation_missing_rel_records":             fixed("关联的记录不存在或您无权访问。"),
	"validation_missing_rel_collection":          fixed("关联的数据不存在。"),
	"validation_pk_invalid":                      fixed("记录编号无效或已被使用。"),
	"validation_invalid_or_existing_id":          fixed("记录编号无效或已被使用。"),
	"validation_forbidden_pk_character":          fixed("记录编号含有不允许的字符。"),
	"validation_invalid_file":                    fixed("上传的文件无效，请重新选择文件。"),
	"validation_too_many_files":                  func(p params) string { return "最多上传 " + p.num("maxSelect") + " 个文件。" },
	"validation_file_size_limit": func(p params) string {
		return fmt.Sprintf("文件“%s”超过 %s 的上限，请压缩或降低扫描分辨率后重新上传。", p.str("file"), megabytes(p.num("maxSize")))
	},
	"validation_invalid_mime_type": func(p params) string {
		if kinds := allowedKinds(p.message); kinds != "" {
			return "文件类型不符合要求：只能上传 " + kinds + "。"
		}
		return "文件类型不符合要求。"
	},
}

// topMessages are PocketBase's own English top-level messages that reach
// people through the web app (its defaults by status, and its record
// routes' failures), in Chinese, when no field says more. Other English
// messages (the admin dashboard's, a crafted filter's) stay as they are:
// programs may rely on them.
var topMessages = map[string]string{
	"The requested resource wasn't found.":                         "记录不存在或您无权查看。",
	"File not found":                                               "文件不存在或您无权查看。",
	"Something went wrong while processing your request.":          "提交的内容有误，请检查后重试。",
	"You are not allowed to perform this request.":                 "您没有权限进行此操作。",
	"Missing or invalid authentication.":                           "请先登录。",
	"The request requires valid record authorization token.":       "登录已失效，请重新登录。",
	"The request requires valid authorization token.":              "登录已失效，请重新登录。",
	"Too Many Requests.":                                           "请求过于频繁，请稍后再试。",
	"Failed to create record.":                                     "未能保存，请检查标红的内容。",
	"Failed to create record":                                      "未能保存，请检查标红的内容。",
	"Failed to update record.":                                     "未能保存修改，请检查标红的内容。",
	"An error occurred while validating the submitted data.":       "提交的内容未通过校验，请检查标红的内容。",
	"An error occurred while loading the submitted data.":          "提交的内容无法读取，请重试。",
	"Failed to load the submitted data due to invalid formatting.": "提交的内容格式不正确，请重试。",
	"Failed to read the submitted data.":                           "提交的内容无法读取，请重试。",
	"Failed to authenticate.":                                      "账号或密码不正确。",
	"Batch transaction failed.":                                    "批量提交未能完成，所有修改均未保存。",
	"Failed to delete record. Make sure that the record is not part of a required relation reference.": "未能删除：还有其他记录引用它。",
}

// params are a validation error's parameters and its English message.
type params struct {
	values  map[string]any
	message string
}

func (p params) str(k string) string {
	if v, ok := p.values[k]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// num is a number parameter, or the first number of the English message
// (older validators put the number in the text only).
func (p params) num(k string) string {
	if v, ok := p.values[k]; ok && v != nil {
		return fmt.Sprint(v)
	}
	if m := firstNumber.FindString(p.message); m != "" {
		return m
	}
	return "规定"
}

var firstNumber = regexp.MustCompile(`\d+`)

func fixed(s string) func(params) string { return func(params) string { return s } }

// megabytes says a byte count the way people do: 5242880 → "5 MB".
func megabytes(bytes string) string {
	n, err := strconv.ParseInt(bytes, 10, 64)
	if err != nil || n <= 0 {
		return "规定大小"
	}
	if n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	if n >= 1<<20 {
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	}
	return strconv.FormatInt((n+1023)>>10, 10) + " KB"
}

// mimeNames are the file kinds people know, by MIME type.
var mimeNames = map[string]string{
	"application/pdf": "PDF",
	"image/jpeg":      "JPG 图片",
	"image/png":       "PNG 图片",
	"image/webp":      "WebP 图片",
	"image/heic":      "HEIC 照片",
	"image/gif":       "GIF 图片",
}

var mimeList = regexp.MustCompile(`must be one of: (.+?)\.?$`)

// allowedKinds reads the allowed types out of PocketBase's message
// (`"x.txt" mime type must be one of: application/pdf, image/jpeg.`) as
// "PDF、JPG 图片"; "" when the message lists none.
func allowedKinds(message string) string {
	m := mimeList.FindStringSubmatch(strings.TrimSpace(message))
	if m == nil {
		return ""
	}
	var names []string
	seen := map[string]bool{}
	for _, t := range strings.Split(m[1], ",") {
		t = strings.TrimSpace(t)
		name := mimeNames[t]
		if name == "" {
			name = t
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return strings.Join(names, "、")
}

// FieldMessage is the Chinese message of one field error item of
// PocketBase's shape ({"code", "message", "params"}): a validator code of
// PocketBase's gets its message from the table (even when a Chinese file
// name makes the English one look Chinese), our own Chinese messages stay.
func FieldMessage(item map[string]any) string {
	msg, _ := item["message"].(string)
	code, _ := item["code"].(string)
	p := params{message: msg}
	p.values, _ = item["params"].(map[string]any)
	if zh, ok := fieldMessages[code]; ok {
		return zh(p)
	}
	if HasHan(msg) {
		return msg
	}
	return "填写的内容不符合要求。"
}

// topMessage is the Chinese for one of PocketBase's top-level messages, "" when there is none.
func topMessage(message string) string { return topMessages[strings.TrimSpace(message)] }
