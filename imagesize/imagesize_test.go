package imagesize_test

import (
	"bytes"
	"errors"
	"testing"

	"yuetan/imagesize"
	"yuetan/internal/imagebomb"
)

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
		want imagesize.Size
	}{
		{"PNG header claiming 100000²", imagebomb.PNGHeader(100000, 100000), imagesize.Size{Width: 100000, Height: 100000}},
		{"real PNG 7000×6000", imagebomb.PNG(7000, 6000), imagesize.Size{Width: 7000, Height: 6000}},
		{"JPEG claiming 65535×60000", imagebomb.JPEG(65535, 60000), imagesize.Size{Width: 65535, Height: 60000}},
		{"WebP claiming 16M×100", imagebomb.WebP(1<<24, 100), imagesize.Size{Width: 1 << 24, Height: 100}},
		{"HEIC claiming 30000×20000", imagebomb.HEIC(30000, 20000), imagesize.Size{Width: 30000, Height: 20000}},
		{"a photo", imagebomb.Photo(640, 480), imagesize.Size{Width: 640, Height: 480}},
		{"a signature", imagebomb.Signature(900, 300), imagesize.Size{Width: 900, Height: 300}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := imagesize.Read(bytes.NewReader(tc.data))
			if err != nil || got != tc.want {
				t.Fatalf("Read = %v, %v; want %v (%d bytes)", got, err, tc.want, len(tc.data))
			}
		})
	}
}

// TestHEIFLargestItem: of several image items (a grid and its tiles, a
// thumbnail) the largest counts.
func TestHEIFLargestItem(t *testing.T) {
	small, big := imagebomb.HEIC(512, 512), imagebomb.HEIC(40000, 30000)
	// splice big's ispe box into small's ipco, after small's own
	ispe := big[bytes.Index(big, []byte("ispe"))-4:][:20]
	i := bytes.Index(small, []byte("ispe")) + 16
	data := append(append(append([]byte{}, small[:i]...), ispe...), small[i:]...)
	// grow the sizes of ipco, iprp and meta by the 20 bytes
	for _, typ := range []string{"ipco", "iprp", "meta"} {
		at := bytes.Index(data, []byte(typ)) - 4
		data[at+3] += 20
	}
	got, err := imagesize.Read(bytes.NewReader(data))
	if err != nil || got != (imagesize.Size{Width: 40000, Height: 30000}) {
		t.Fatalf("Read = %v, %v", got, err)
	}
}

func TestReadRefuses(t *testing.T) {
	heic := imagebomb.HEIC(100, 100)
	noIspe := bytes.Replace(heic, []byte("ispe"), []byte("free"), 1)
	video := bytes.Replace(heic, []byte("heic\x00\x00\x00\x00mif1heic"), []byte("isom\x00\x00\x00\x00mp41isom"), 1)
	lying := append([]byte{}, heic...)
	lying[3] = 0xff // ftyp claims more bytes than the file has
	for _, tc := range []struct {
		name    string
		data    []byte
		unknown bool
	}{
		{"a PDF", []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), true},
		{"empty", nil, true},
		{"a truncated PNG", imagebomb.PNGHeader(10, 10)[:20], false},
		{"HEIC without ispe", noIspe, false},
		{"an MP4 video", video, true},
		{"HEIC box out of bounds", lying, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := imagesize.Read(bytes.NewReader(tc.data))
			if err == nil {
				t.Fatalf("Read = %v, want an error", got)
			}
			if errors.Is(err, imagesize.ErrUnknown) != tc.unknown {
				t.Errorf("err %v: unknown %v, want %v", err, errors.Is(err, imagesize.ErrUnknown), tc.unknown)
			}
		})
	}
}

// FuzzRead: any bytes give a size with both sides positive, or an error;
// never a panic or a hang.
func FuzzRead(f *testing.F) {
	for _, seed := range [][]byte{
		imagebomb.PNGHeader(3, 4), imagebomb.JPEG(5, 6), imagebomb.WebP(7, 8), imagebomb.HEIC(9, 10),
		imagebomb.Photo(16, 16), []byte("%PDF-1.4"), {},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := imagesize.Read(bytes.NewReader(data))
		if err == nil && (s.Width <= 0 || s.Height <= 0) {
			t.Fatalf("size %v without an error", s)
		}
	})
}
