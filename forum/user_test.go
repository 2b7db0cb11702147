package forum_test

import (
	"strings"
	"testing"

	"staffroom/forum"
)

func TestNormalizeUsername(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"mrivera", "mrivera", true},
		{"  jchen.math ", "jchen.math", true},
		{"coach_ben-2", "coach_ben-2", true},
		{"ab", "", false},
		{strings.Repeat("a", 30), strings.Repeat("a", 30), true},
		{strings.Repeat("a", 31), "", false},
		{strings.Repeat("a", 10000), "", false},
		{"has space", "", false},
		{"émile", "", false},
		{"bad/slash", "", false},
		{"nul\x00byte", "", false},
		{"bad\xffutf8", "", false},
		{"robert');drop", "", false},
	} {
		got, err := forum.NormalizeUsername(tc.in)
		if tc.ok && (err != nil || got != tc.want) {
			t.Errorf("NormalizeUsername(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if !tc.ok {
			if e := forum.AsError(err); e == nil || e.Field != "username" || e.Kind != forum.EInvalid {
				t.Errorf("NormalizeUsername(%q) error = %v; want invalid username", tc.in, err)
			}
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"teacher@district.org", true},
		{" Teacher@District.ORG ", true},
		{"no-at-sign", false},
		{"two@@signs.org", false},
		{"Name <a@b.org>", false},
		{"a@localhost", false},
		{"", false},
		{strings.Repeat("a", 250) + "@b.org", false},
		{"a\x00@b.org", false},
	} {
		_, err := forum.NormalizeEmail(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("NormalizeEmail(%q) err = %v, want ok=%v", tc.in, err, tc.ok)
		}
		if err != nil && forum.AsError(err).Field != "email" {
			t.Errorf("NormalizeEmail(%q) error names field %q", tc.in, forum.AsError(err).Field)
		}
	}
}

func TestNormalizeDisplayName(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"  Ms. Rivera  ", "Ms. Rivera", true},
		{"Lucía García", "Lucía García", true},
		{"李老师", "李老师", true},
		{strings.Repeat("é", 50), strings.Repeat("é", 50), true},
		{strings.Repeat("é", 51), "", false},
		{"   ", "", false},
		{"line\nbreak", "", false},
		{"tab\there", "", false},
		{"bell\a", "", false},
		{"nul\x00", "", false},
	} {
		got, err := forum.NormalizeDisplayName(tc.in)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("NormalizeDisplayName(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		code     string
	}{
		{"long enough", "correct horse", ""},
		{"too short", "short", "weak_password"},
		{"ten runes", "ääääääääää", ""},
		{"at the byte limit", strings.Repeat("x", 256), ""},
		{"over the byte limit", strings.Repeat("x", 257), "invalid_password"},
		{"NUL refused", "0123456789\x00", "invalid_password"},
		{"invalid UTF-8 refused", "0123456789\xff", "invalid_password"},
	} {
		err := forum.CheckPassword("password", tc.in)
		if tc.code == "" && err != nil || tc.code != "" && (err == nil || forum.AsError(err).Code != tc.code) {
			t.Errorf("%s: err = %v, want code %q", tc.name, err, tc.code)
		}
	}
}

func TestPasswordHasher(t *testing.T) {
	h := forum.PasswordHasher{Memory: 64, Time: 1, Threads: 1}
	enc := h.Hash("correct horse battery")
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("encoding = %q", enc)
	}
	if !h.Verify("correct horse battery", enc) {
		t.Fatal("the right password does not verify")
	}
	if h.Verify("correct horse batterY", enc) {
		t.Fatal("a wrong password verifies")
	}
	if h.Hash("same") == h.Hash("same") {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	// Hashes made with other parameters still verify: the parameters travel in the hash.
	strong := forum.PasswordHasher{Memory: 128, Time: 2, Threads: 1}
	if !h.Verify("p4ssw0rd-long", strong.Hash("p4ssw0rd-long")) {
		t.Fatal("a hash with other parameters does not verify")
	}
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA"} {
		if h.Verify("anything", bad) {
			t.Fatalf("malformed hash %q verifies", bad)
		}
	}
}
