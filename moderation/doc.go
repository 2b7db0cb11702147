// Package moderation is Staffroom's content policy, and will hold the moderators' tools.
//
// What it holds today:
//
//   - markdown.go, markdown_limits.go, math.go, highlight.go: the one pipeline from a
//     post's markdown to the HTML stored beside it (goldmark with GitHub's tables,
//     strikethrough, autolinks and task lists, math kept as TeX for KaTeX, code
//     highlighted by chroma as CSS classes), bounded so that no body is too costly to
//     render. Renderer is the forum.Renderer the wiring plugs in; SafeHTML is the only
//     function in the code base that makes template.HTML from data.
//   - sanitizer.go: the bluemonday policy every rendered body passes through.
//   - privileges.go: the privilege presets (open, moderate, strict) of
//     STAFFROOM_PRIVILEGES. The rules that apply them are forum's (forum.Privileges).
//   - ratelimit.go: Limiter, the token bucket behind sign-in, sign-up and preview limits.
//   - actions.go: ActionLimits, the per-person and per-address rates of questions, answers,
//     comments, votes, flags, messages and searches, built from forum.RateLimiter values so
//     that a shared limiter (several nodes) can stand in for the in-memory ones.
//
// Flags, the review queue, moderator actions and the audit log (DESIGN.md) come later; they
// will use forum's interfaces, never the other way round: forum reaches this package only
// through the small interfaces it defines (forum.Renderer, forum.RateLimiter).
package moderation
