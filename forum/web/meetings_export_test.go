package web

import (
	"bytes"

	"github.com/valyala/fasthttp"

	"staffroom/forum"
)

// RenderMeetingsOverview draws the "meetings-overview" fragment of a collaborative's home
// page for an anonymous reader whose access is a, as that page's handler would.
func (s *Server) RenderMeetingsOverview(a forum.CollaborativeAccess) (string, error) {
	c := s.app.AcquireCtx(&fasthttp.RequestCtx{})
	defer s.app.ReleaseCtx(c)
	v, err := s.meetingsOverview(c, a)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	err = s.pages["meetings"].ExecuteTemplate(&buf, "meetings-overview", overviewView{P: &Page{}, V: v})
	return buf.String(), err
}
