package web

import (
	"bytes"
	"hash/crc32"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// ETags on pages and API answers, so a browser revalidating a page it holds gets a 304.
//
// Fiber's etag middleware hashes every body with a CRC polynomial that has no hardware
// support: 21 KB of question page cost ~35 µs, nearly 90% of the server's CPU for a page
// served from the micro-cache. Castagnoli's polynomial runs on the CPU's CRC32 instruction
// (~1 µs for the same page), and a handler that already knows its tag (the micro-cache
// computes it once per copy) sets it and nobody hashes at all.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// etagOf is a strong tag for a body: its length and its CRC-32C.
func etagOf(body []byte) string {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = strconv.AppendUint(b, uint64(len(body)), 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, uint64(crc32.Checksum(body, castagnoli)), 10)
	return string(append(b, '"'))
}

// etags adds an ETag to every 200 answer with a body, unless the handler set one, and
// answers 304 when the request's If-None-Match names it.
func etags(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	res := c.Response()
	if res.StatusCode() != fiber.StatusOK || len(res.Body()) == 0 {
		return nil
	}
	tag := res.Header.Peek(fiber.HeaderETag)
	if tag == nil {
		tag = []byte(etagOf(res.Body()))
		res.Header.SetBytesV(fiber.HeaderETag, tag)
	}
	if match := c.Request().Header.Peek(fiber.HeaderIfNoneMatch); len(match) > 0 && etagMatches(match, tag) {
		res.ResetBody()
		res.Header.Del(fiber.HeaderContentLength)
		c.Status(fiber.StatusNotModified)
	}
	return nil
}

// etagMatches reports whether an If-None-Match list names tag, comparing weakly (RFC 9110
// 13.1.2: a W/ prefix on either side does not matter for GET).
func etagMatches(header, tag []byte) bool {
	tag = bytes.TrimPrefix(tag, []byte("W/"))
	for part := range bytes.SplitSeq(header, []byte(",")) {
		part = bytes.TrimPrefix(bytes.TrimSpace(part), []byte("W/"))
		if bytes.Equal(part, tag) || bytes.Equal(part, []byte("*")) {
			return true
		}
	}
	return false
}
