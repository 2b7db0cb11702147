package forum

import (
	"regexp"
	"strconv"
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
