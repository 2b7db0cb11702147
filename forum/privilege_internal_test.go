package forum

import "testing"

// Every privilege has a number for refusals (privilegeOrder) and words (privilegeNames).
func TestEveryPrivilegeIsNumberedAndNamed(t *testing.T) {
	if len(privilegeOrder) != len(privilegeNames) {
		t.Fatalf("%d privileges numbered, %d named", len(privilegeOrder), len(privilegeNames))
	}
	for i, p := range privilegeOrder {
		if privilegeNames[p] == "" || privilegeIndex(p) != uint8(i) {
			t.Errorf("privilege %q: index %d, name %q", p, privilegeIndex(p), privilegeNames[p])
		}
	}
}
