package forum

import (
	"regexp"
	"strconv"
	"strings"
)

// questionLink finds links to questions of this site in markdown: relative paths and the
// site's own absolute addresses alike end in /questions/{id}.
var questionLink = regexp.MustCompile(`/questions/(\d{1,18})\b`)

// maxLinksPerPost bounds how many links one post records.
const maxLinksPerPost = 50

// LinkedQuestionIDs returns the distinct question ids a markdown text links to.
func LinkedQuestionIDs(markdown string) []int64 {
	var out []int64
	seen := map[int64]bool{}
	for _, m := range questionLink.FindAllStringSubmatch(markdown, -1) {
		id, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || id <= 0 || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
		if len(out) == maxLinksPerPost {
			break
		}
	}
	return out
}

// countOffSiteLinks counts the addresses that lead away from this site (siteHost).
func countOffSiteLinks(addrs []string, siteHost string) int {
	n := 0
	for _, a := range addrs {
		if offSite(a, siteHost) {
			n++
		}
	}
	return n
}

// offSite reports whether a link or image address, as it stands in an href or src, leads
// away from this site. Only what is plainly a place on this site stays: a fragment, a
// query, a path, or an http(s) address of siteHost. Everything else counts, read as a
// browser reads it: browsers drop tabs and newlines anywhere in an address and take a
// backslash for a slash, so `//host`, `\\host` and `/\host` name another host, and so does
// `http:host` (without slashes) on an https page; mailto: and any other scheme lead away.
func offSite(addr, siteHost string) bool {
	a := strings.Map(func(r rune) rune {
		switch r {
		case '\t', '\n', '\r':
			return -1
		case '\\':
			return '/'
		}
		return r
	}, strings.TrimFunc(addr, func(r rune) bool { return r <= ' ' }))
	if a == "" || a[0] == '#' || a[0] == '?' {
		return false
	}
	if strings.HasPrefix(a, "//") {
		return !sameHost(a[2:], siteHost)
	}
	if a[0] == '/' {
		return false
	}
	i := strings.IndexAny(a, ":/?#")
	if i <= 0 || a[i] != ':' {
		return false // a relative path such as "questions/12"
	}
	switch strings.ToLower(a[:i]) {
	case "http", "https":
		return !sameHost(strings.TrimLeft(a[i+1:], "/"), siteHost)
	}
	return true
}

// sameHost reports whether the address part after the scheme (or the //) names siteHost.
// Credentials before an @ are skipped: http://staffroom.test@evil.example is evil's.
func sameHost(rest, siteHost string) bool {
	if siteHost == "" {
		return false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		rest = rest[i+1:]
	}
	return strings.EqualFold(rest, siteHost)
}
