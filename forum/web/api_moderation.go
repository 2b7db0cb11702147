package web

import (
	"encoding/csv"
	"encoding/json"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"staffroom/forum"
)

// The moderators' API for people's standing and the audit log. Anonymous callers get
// 401 (requireViewer), signed-in people who are not moderators 403 not_moderator.

// suspensionJSON is a person's suspension as moderators and the person see it.
type suspensionJSON struct {
	User   userJSON   `json:"user"`
	Until  *time.Time `json:"suspended_until"`
	Reason string     `json:"suspend_reason"`
}

func presentSuspension(u *forum.User, now time.Time) suspensionJSON {
	j := suspensionJSON{User: presentUser(u, false)}
	if u.Suspended(now) {
		j.Until, j.Reason = u.SuspendedUntil, u.SuspendReason
	}
	return j
}

// apiSuspend: POST /api/v1/moderation/users/{id}/suspend {until, reason}.
func (s *Server) apiSuspend(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if err := forum.CheckModerator(v.User); err != nil {
		return err // before the body: a member learns nothing by sending one
	}
	var in struct {
		Until  string `json:"until"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	until, err := forum.ParseSuspendUntil(in.Until)
	if err != nil {
		return err
	}
	u, err := s.oversight.Suspend(c.UserContext(), v.User, id, until, in.Reason)
	if err != nil {
		return err
	}
	return c.JSON(presentSuspension(u, s.now()))
}

// apiLiftSuspension: DELETE /api/v1/moderation/users/{id}/suspend.
func (s *Server) apiLiftSuspension(c *fiber.Ctx) error {
	v, id, err := viewerAndID(c)
	if err != nil {
		return err
	}
	if _, err := s.oversight.Lift(c.UserContext(), v.User, id); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// auditJSON is one audit row as the API shows it; before and after are the JSON objects
// stored (null when there is none).
type auditJSON struct {
	ID         int64           `json:"id"`
	Actor      *actorJSON      `json:"actor"`
	Action     string          `json:"action"`
	TargetKind string          `json:"target_kind"`
	TargetID   int64           `json:"target_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	Reason     string          `json:"reason"`
	At         time.Time       `json:"at"`
}

type actorJSON struct {
	ID       int64  `json:"id"`
	Username string `json:"username"`
}

func rawOrNull(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return json.RawMessage("null")
	}
	return json.RawMessage(s)
}

func presentAudit(rows []*forum.AuditRow) []auditJSON {
	out := make([]auditJSON, 0, len(rows))
	for _, r := range rows {
		j := auditJSON{ID: r.ID, Action: r.Action, TargetKind: r.TargetKind, TargetID: r.TargetID,
			Before: rawOrNull(r.Before), After: rawOrNull(r.After), Reason: r.Reason, At: r.At}
		if r.Actor != nil {
			j.Actor = &actorJSON{ID: r.Actor.ID, Username: r.Actor.Username}
		}
		out = append(out, j)
	}
	return out
}

// auditFilter reads the audit log's filters from the query: actor (id or username),
// target (kind:id or kind), action, before (RFC 3339 or a next cursor), limit.
func (s *Server) auditFilter(c *fiber.Ctx) (forum.AuditFilter, error) {
	var f forum.AuditFilter
	var fe forum.FieldErrors
	var err error
	f.ActorID, err = s.oversight.ParseAuditActor(c.UserContext(), c.Query("actor"))
	if err := fe.Add(err); err != nil {
		return f, err // not a bad filter: the store failed
	}
	f.TargetKind, f.TargetID, err = forum.ParseAuditTarget(c.Query("target"))
	fe.Add(err)
	f.Action = c.Query("action")
	fe.Add(forum.CheckAuditAction(f.Action))
	f.Before, err = forum.ParseAuditBefore(c.Query("before"))
	fe.Add(err)
	if f.Limit, err = queryInt(c, "limit"); err != nil {
		fe.Add(forum.Invalid("limit", "bad_limit", "limit must be a whole number from 1 to %d.", forum.MaxAuditPageSize))
	} else if f.Limit > forum.MaxAuditPageSize {
		fe.Add(forum.Invalid("limit", "bad_limit", "limit must be a whole number from 1 to %d.", forum.MaxAuditPageSize))
	}
	return f, fe.Err()
}

// apiAudit: GET /api/v1/moderation/audit; format=csv exports every matching row (up to
// forum.MaxAuditExport, newest first) as text/csv.
func (s *Server) apiAudit(c *fiber.Ctx) error {
	v, err := requireViewer(c)
	if err != nil {
		return err
	}
	if err := forum.CheckModerator(v.User); err != nil {
		return err
	}
	f, err := s.auditFilter(c)
	if err != nil {
		return err
	}
	switch c.Query("format") {
	case "", "json":
	case "csv":
		f.Limit = forum.MaxAuditExport
		p, err := s.oversight.AuditLog(c.UserContext(), v.User, f)
		if err != nil {
			return err
		}
		return s.sendAuditCSV(c, p.Items)
	default:
		return forum.Invalid("format", "bad_format", "format must be json or csv.")
	}
	p, err := s.oversight.AuditLog(c.UserContext(), v.User, f)
	if err != nil {
		return err
	}
	body := fiber.Map{"items": presentAudit(p.Items), "next": nil}
	if p.Next != nil {
		body["next"] = p.Next.String()
	}
	return c.JSON(body)
}

// auditCSVHeader names the export's columns.
var auditCSVHeader = []string{"id", "at", "actor_id", "actor", "action", "target_kind", "target_id", "before", "after", "reason"}

func (s *Server) sendAuditCSV(c *fiber.Ctx, rows []*forum.AuditRow) error {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="audit-`+s.now().Format("20060102-150405")+`.csv"`)
	w := csv.NewWriter(c.Response().BodyWriter())
	if err := w.Write(auditCSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		actorID, actor := "", "system"
		if r.ActorID != 0 {
			actorID = strconv.FormatInt(r.ActorID, 10)
		}
		if r.Actor != nil {
			actor = r.Actor.Username
		}
		if err := w.Write([]string{strconv.FormatInt(r.ID, 10), r.At.Format(time.RFC3339), actorID, csvSafe(actor), r.Action,
			r.TargetKind, strconv.FormatInt(r.TargetID, 10), csvSafe(r.Before), csvSafe(r.After), csvSafe(r.Reason)}); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// csvSafe keeps a spreadsheet from running a cell as a formula (CSV injection): text a
// moderator typed, or a username, that starts with = + - @ gets a leading apostrophe.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
