package forms

import (
	"fmt"
	"io"
	"net/http"

	"github.com/pocketbase/pocketbase/tools/filesystem"
	"github.com/pocketbase/pocketbase/tools/router"

	"yuetan/collections"
	"yuetan/imagesize"
)

// readSignature reads the stored signature image at key, the n-th
// signer's, after its header: one over the signatures' pixel budget (stored
// before uploads were checked) is never decoded, and the sheet is refused
// with what to do.
func readSignature(fsys *filesystem.System, key string, n int, name string) ([]byte, error) {
	r, err := fsys.GetReader(key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	size, err := imagesize.Read(r)
	switch {
	case err != nil:
		return nil, router.NewApiError(http.StatusUnprocessableEntity,
			fmt.Sprintf("无法读取第 %d 位联名居民（%s）的签名图片，无法打印联名签名表；请删除这条签名后重新签名。", n, name), err)
	case size.Pixels() > collections.SigImageMaxPixels:
		return nil, router.NewApiError(http.StatusUnprocessableEntity,
			fmt.Sprintf("第 %d 位联名居民（%s）的签名图片像素过多（%s），无法打印联名签名表；请删除这条签名后重新签名。", n, name, size), nil)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}
