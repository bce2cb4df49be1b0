package pdf

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"yuetan/internal/imagebomb"
)

// TestSignatureBombNotDecoded: a signature image whose header claims more
// than MaxDecodePixels is refused from its header: the render fails
// naming the signer, without allocating the image (the real bomb here
// would take its 25 MB of grey and 100 MB as RGBA).
func TestSignatureBombNotDecoded(t *testing.T) {
	// not parallel: runtime.MemStats counts what every running test
	// allocates, and the bound is on these renders alone
	for name, img := range map[string][]byte{
		"header only": imagebomb.PNGHeader(100000, 100000),
		"real PNG":    imagebomb.PNG(5000, 5000),
		"JPEG":        imagebomb.JPEG(30000, 30000),
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := RenderSignatures(&bytes.Buffer{}, SignaturesData{Meta: meta("B-1"),
				Signers: []Signer{{Name: "王", Signature: signaturePNG(1, 600, 200)}, {Name: "李", Signature: img}}})
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "signer 2 (李): signature image") || !strings.Contains(err.Error(), "over the renderer's") {
				t.Fatalf("error %v", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 24<<20 {
				t.Errorf("rendering allocated %d MB: the bomb was decoded", alloc>>20)
			}
		})
	}
}
