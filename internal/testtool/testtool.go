// Package testtool finds the command-line tools the tests read PDFs and QR
// codes with. It is apart from testenv so that pdf, which testenv imports
// through the migrations, can use it too.
package testtool

import (
	"os"
	"os/exec"
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
