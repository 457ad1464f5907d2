package chconnect_test

import (
	"os/exec"
	"testing"
)

// The committed SWIG output in internal/capi must be what bindings/swig/chconnect.i and go.i
// generate today, so that `go get` users (who build without SWIG) get the current interface.
func TestGeneratedCodeIsUpToDate(t *testing.T) {
	if _, err := exec.LookPath("swig"); err != nil {
		t.Skip("swig is not installed, so internal/capi cannot be compared with a fresh generation " +
			"(apt-get install swig; CI installs it and runs this check)")
	}
	out, err := exec.Command("bash", "generate.sh", "--check").CombinedOutput()
	if err != nil {
		t.Fatalf("generate.sh --check failed: %v\n%s", err, out)
	}
}
