package collections

// ImageBudget is how many pixels (width × height) an image in one file
// field may have. Uploads over it are refused on every path, from the
// image's header alone, and nothing decodes a stored image over it: a few
// KB of PNG can claim 100,000² pixels, and decoding (a thumbnail, a PDF)
// takes 4 bytes a pixel.
type ImageBudget struct {
	Label     string // the field as people call it, in messages
	MaxPixels int64
}

// ImageBudgets are the budgets of every file field that takes images, by
// collection and field (collections/images_test.go proves none is missing).
var ImageBudgets = map[string]map[string]ImageBudget{
	Issues:       {IssuePhotos: {"照片", IssuePhotoMaxPixels}},
	Signatures:   {SigImage: {"签名图片", SigImageMaxPixels}},
	Applications: {AppSignedScan: {"盖章扫描件", AppSignedScanMaxPixels}},
	Feedback:     {FbProof: {"办理佐证照片", IssuePhotoMaxPixels}},
}

// ImageBudgetOf returns the budget of a collection's file field; ok is
// false for a field that takes no images.
func ImageBudgetOf(collection, field string) (b ImageBudget, ok bool) {
	b, ok = ImageBudgets[collection][field]
	return b, ok
}
