// Package testtool finds the command-line tools the tests read PDFs and QR
// codes with, and builds the yuetan command once for the tests that run it. It is apart from testenv so that pdf, which testenv imports
// through the migrations, can use it too.
package testtool

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// toolPackages names the Debian package of each command-line tool the tests use.
var toolPackages = map[string]string{"pdftotext": "poppler-utils", "pdftoppm": "poppler-utils", "zbarimg": "zbar-tools"}

// Require finds a command-line tool (poppler's, zbarimg); without it
// the test skips, or fails when CI is set (CI must run every test).
func Require(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	pkg := toolPackages[name]
	if os.Getenv("CI") != "" {
		t.Fatalf("%s not found and CI=%s: install %s (apt-get install -y %s)", name, os.Getenv("CI"), pkg, pkg)
	}
	t.Skipf("%s not found: install %s to run this test (it fails instead of skipping when CI is set)", name, pkg)
	return ""
}

// built is the yuetan command Binary built for this test binary.
var built struct {
	once sync.Once
	dir  string
	err  error
}

// Binary builds the yuetan command once per test binary, into the temp
// dir (where PocketBase would switch dev mode on by itself), and returns
// its path.
func Binary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "yuetan-bin-*"); built.err != nil {
			return
		}
		if out, err := exec.Command("go", "build", "-o", filepath.Join(built.dir, "yuetan"), "yuetan").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return filepath.Join(built.dir, "yuetan")
}

// RemoveBinary removes what Binary built; TestMain calls it after the tests.
func RemoveBinary() {
	if built.dir != "" {
		_ = os.RemoveAll(built.dir)
	}
}
