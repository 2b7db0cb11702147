package forum

import "testing"

func TestOffSite(t *testing.T) {
	for _, tc := range []struct {
		addr string
		off  bool
	}{
		{"https://evil.example/x", true},
		{"http://evil.example", true},
		{"HTTPS://EVIL.EXAMPLE", true},
		{"//evil.example/path", true},
		{"  //evil.example", true},
		{`\\evil.example`, true},
		{`/\evil.example`, true},
		{"/\t/evil.example", true},
		{"http:evil.example", true},
		{"https:/evil.example", true},
		{"mailto:someone@evil.example", true},
		{"http://staffroom.test@evil.example/", true},
		{"https://staffroom.test.evil.example/", true},
		{"https://staffroom.test/questions/12", false},
		{"http://STAFFROOM.test", false},
		{"//staffroom.test/questions/12", false},
		{"/questions/12/slug", false},
		{"questions/12", false},
		{"#answer-3", false},
		{"?page=2", false},
		{"", false},
	} {
		if got := offSite(tc.addr, "staffroom.test"); got != tc.off {
			t.Errorf("offSite(%q) = %v, want %v", tc.addr, got, tc.off)
		}
	}
	if !offSite("https://staffroom.test/", "") {
		t.Error("without a site host every link with a host counts")
	}
}
