package forum

import (
	"context"
	"strings"
	"time"
)

// The collaboratives service: starting a collaborative, its directory and home, its
// settings, and its members. Who may do what is CollaborativeAccess's (collaborative.go)
// and the membership rules' (collaborative_members.go); this service parses input, asks
// the stores, and puts together what a collaborative's page and API show. The parts of a
// collaborative that other features bring (channels, meetings, action items, scoped
// questions, their parts of the export) plug in through the optional providers below: a
// provider left nil means that part has nothing to show yet, never an error.

// MinCollaborativeNameLen is the shortest name a collaborative may have.
const MinCollaborativeNameLen = 3

// reservedCollaborativeSlugs are addresses under /c that are pages, not collaboratives.
var reservedCollaborativeSlugs = map[string]bool{"new": true}

// ChannelSummary is a channel as a collaborative's home and API list it.
type ChannelSummary struct {
	ID       int64
	Name     string
	Topic    string
	Archived bool
	Unread   int // the viewer's unread messages; 0 when unknown
}

// ChannelLister lists a collaborative's channels for a viewer who may see inside (the
// channels feature provides it).
type ChannelLister interface {
	CollaborativeChannels(ctx context.Context, a CollaborativeAccess) ([]ChannelSummary, error)
}

// MeetingSummary is a meeting as a collaborative's home shows it.
type MeetingSummary struct {
	ID               int64
	Title            string
	StartsAt, EndsAt time.Time
	TimeZone         string // IANA
	Location         string
	URL              string // the meeting's page
}

// MeetingFinder finds a collaborative's next meeting; nil when none is scheduled (the
// meetings feature provides it).
type MeetingFinder interface {
	NextMeeting(ctx context.Context, a CollaborativeAccess, now time.Time) (*MeetingSummary, error)
}

// ActionSummary is an open action item as a collaborative's home shows it.
type ActionSummary struct {
	ID       int64
	Title    string
	Assignee *User     // nil: nobody yet
	Due      time.Time // zero: no due date
	Overdue  bool
}

// ActionLister lists up to limit open action items of a collaborative (the meetings
// feature provides it).
type ActionLister interface {
	OpenActions(ctx context.Context, a CollaborativeAccess, limit int) ([]ActionSummary, error)
}

// CollaborativeQuestionLister lists up to limit of the newest questions of a
// collaborative, without bodies (the scoped questions feature provides it).
type CollaborativeQuestionLister interface {
	CollaborativeQuestions(ctx context.Context, a CollaborativeAccess, limit int) ([]*Post, error)
}

// How many of each thing a collaborative's home lists.
const (
	HomeActionsLimit   = 10
	HomeQuestionsLimit = 10
)

// CollaborativeHome is what a collaborative's page and GET /api/v1/collaboratives/{slug}
// show to one viewer. What is inside (members, channels, meeting, actions, questions) is
// filled only when Access.CanSeeInside; Requests only when Access.CanManage.
type CollaborativeHome struct {
	Access  CollaborativeAccess
	Leads   []Member // listed to everyone: people ask them to join
	Inside  bool     // Access.CanSeeInside
	Members []Member
	// MembersTotal counts every member (Members stops at MaxMembersListed).
	MembersTotal int
	// Requested: the viewer has asked to join and waits for a lead.
	Requested   bool
	Requests    []JoinRequest
	Channels    []ChannelSummary
	NextMeeting *MeetingSummary
	OpenActions []ActionSummary
	Questions   []*Post
}

// CollaborativePage is one page of the directory of collaboratives.
type CollaborativePage struct {
	Items []*Collaborative
	Total int
	Page  int
}

// CollaborativeInput is a new collaborative as a person asks for it. Districts and
// Cluster are slugs.
type CollaborativeInput struct {
	Slug, Name, Description, Visibility string
	Districts                           []string
	Cluster                             string
}

// CollaborativeUpdate changes a collaborative: nil leaves a field as it is; an empty
// Cluster takes it out of its cluster, an empty Districts list out of every district.
type CollaborativeUpdate struct {
	Name, Description, Visibility, Cluster *string
	Districts                              *[]string
}

// Collaboratives enforces the rules of collaboratives and their members.
type Collaboratives struct {
	Store     CollaborativeStore
	Members   MembershipStore
	Directory DirectoryStore // resolves district and cluster slugs
	Users     UserStore
	Render    Renderer
	Now       func() time.Time

	// Optional providers, each from the feature that owns that part; nil: nothing to show.
	Channels  ChannelLister
	Meetings  MeetingFinder
	Actions   ActionLister
	Questions CollaborativeQuestionLister
	// ExportParts add their files to a collaborative's export, after its own.
	ExportParts []ExportPart
}

func (s *Collaboratives) now() time.Time { return s.Now().UTC() }

// access reads what viewer is to the collaborative slug; a slug that cannot be one is
// answered as a missing one.
func (s *Collaboratives) access(ctx context.Context, viewer *User, slug string) (CollaborativeAccess, error) {
	if _, err := ParseCollaborativeSlug("slug", slug); err != nil {
		return CollaborativeAccess{}, NotFoundCollaborative(slug)
	}
	return s.Store.CollaborativeAccess(ctx, slug, viewer)
}

// Access returns what viewer (nil: anonymous) is to the collaborative, for the features
// inside it. Returns NotFoundCollaborative.
func (s *Collaboratives) Access(ctx context.Context, viewer *User, slug string) (CollaborativeAccess, error) {
	return s.access(ctx, viewer, slug)
}

// render checks and renders a description (empty is allowed).
func (s *Collaboratives) render(text string) (Rendered, error) {
	text, err := CleanBody("description", text, 0, MaxCollaborativeDescriptionLen)
	if err != nil || text == "" {
		return Rendered{}, err
	}
	html, err := s.Render.Body(text)
	if err != nil {
		return Rendered{}, err
	}
	return Rendered{Text: text, HTML: html}, nil
}

// clusterID resolves a cluster's slug; "" is none. Returns invalid "unknown_cluster".
func (s *Collaboratives) clusterID(ctx context.Context, slug string) (int64, error) {
	if strings.TrimSpace(slug) == "" {
		return 0, nil
	}
	key, err := ParseSlug("cluster", slug)
	if err != nil {
		return 0, err
	}
	c, err := s.Directory.ClusterBySlug(ctx, key)
	if IsKind(err, ENotFound) {
		return 0, UnknownCluster(key)
	}
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// districtIDs resolves districts' slugs, each once. Returns invalid "unknown_district"
// naming "districts".
func (s *Collaboratives) districtIDs(ctx context.Context, slugs []string) ([]int64, error) {
	ids := []int64{}
	seen := map[int64]bool{}
	for _, slug := range slugs {
		if strings.TrimSpace(slug) == "" {
			continue
		}
		key, err := ParseSlug("districts", slug)
		if err != nil {
			return nil, err
		}
		d, err := s.Directory.DistrictBySlug(ctx, key)
		if IsKind(err, ENotFound) {
			return nil, UnknownDistrict(key).WithField("districts")
		}
		if err != nil {
			return nil, err
		}
		if !seen[d.ID] {
			seen[d.ID] = true
			ids = append(ids, d.ID)
		}
	}
	return ids, nil
}

// Create starts a collaborative led by its creator. Any signed-in person may. Returns
// unauthorized, invalid naming the field (slug "invalid_slug", name, description,
// visibility, cluster "unknown_cluster", districts "unknown_district"), every field at
// fault at once (FieldErrors), or conflict "slug_taken".
func (s *Collaboratives) Create(ctx context.Context, by *User, in CollaborativeInput) (*Collaborative, error) {
	if by == nil {
		return nil, Errorf(EUnauthorized, "Sign in to start a collaborative.")
	}
	nc := NewCollaborative{CreatedBy: by.ID, Now: s.now(), Visibility: VisibilityPublic}
	var fe FieldErrors
	var err error
	if nc.Name, err = CleanTitle("name", in.Name, MinCollaborativeNameLen, MaxCollaborativeNameLen); fe.Add(err) != nil {
		return nil, err
	}
	if nc.Slug, err = ParseCollaborativeSlug("slug", strings.TrimSpace(in.Slug)); fe.Add(err) != nil {
		return nil, err
	} else if reservedCollaborativeSlugs[nc.Slug] {
		fe.Add(Invalid("slug", "slug_reserved", "The slug %q is the address of a page; choose another.", nc.Slug))
	}
	if strings.TrimSpace(in.Visibility) != "" {
		if nc.Visibility, err = ParseVisibility("visibility", in.Visibility); fe.Add(err) != nil {
			return nil, err
		}
	}
	if nc.Description, err = s.render(in.Description); fe.Add(err) != nil {
		return nil, err
	}
	if nc.ClusterID, err = s.clusterID(ctx, in.Cluster); fe.Add(err) != nil {
		return nil, err
	}
	if nc.DistrictIDs, err = s.districtIDs(ctx, in.Districts); fe.Add(err) != nil {
		return nil, err
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.Store.CreateCollaborative(ctx, nc)
}

// Update changes a collaborative's settings; its leads, moderators and admins only.
// Returns not_found (also to whoever may not see it), CheckManage's errors, and Create's
// invalid errors.
func (s *Collaboratives) Update(ctx context.Context, by *User, slug string, upd CollaborativeUpdate) (*Collaborative, error) {
	a, err := s.access(ctx, by, slug)
	if err != nil {
		return nil, err
	}
	if err := a.CheckManage(NotFoundCollaborative(slug)); err != nil {
		return nil, err
	}
	ch := CollaborativeChanges{Now: s.now()}
	var fe FieldErrors
	if upd.Name != nil {
		name, err := CleanTitle("name", *upd.Name, MinCollaborativeNameLen, MaxCollaborativeNameLen)
		if fe.Add(err) != nil {
			return nil, err
		}
		ch.Name = &name
	}
	if upd.Description != nil {
		r, err := s.render(*upd.Description)
		if fe.Add(err) != nil {
			return nil, err
		}
		ch.Description = &r
	}
	if upd.Visibility != nil {
		v, err := ParseVisibility("visibility", *upd.Visibility)
		if fe.Add(err) != nil {
			return nil, err
		}
		ch.Visibility = &v
	}
	if upd.Cluster != nil {
		id, err := s.clusterID(ctx, *upd.Cluster)
		if fe.Add(err) != nil {
			return nil, err
		}
		ch.ClusterID = &id
	}
	if upd.Districts != nil {
		ids, err := s.districtIDs(ctx, *upd.Districts)
		if fe.Add(err) != nil {
			return nil, err
		}
		ch.DistrictIDs = &ids
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return s.Members.UpdateCollaborative(ctx, by, a.Collaborative.Slug, ch)
}

// List returns a page of the directory. Everyone may read it: a private collaborative
// is listed by its name, description and leads (the web layer shows no more of it).
// mine lists the viewer's own, and needs a viewer. Returns invalid naming a bad filter
// parameter, unauthorized for mine without a viewer.
func (s *Collaboratives) List(ctx context.Context, viewer *User, f CollaborativeFilter, mine bool) (*CollaborativePage, error) {
	if mine {
		if viewer == nil {
			return nil, Errorf(EUnauthorized, "Sign in to see your collaboratives.")
		}
		f.MemberID = viewer.ID
	}
	if err := f.Normalize(); err != nil {
		return nil, err
	}
	items, total, err := s.Members.Collaboratives(ctx, f)
	if err != nil {
		return nil, err
	}
	return &CollaborativePage{Items: items, Total: total, Page: f.Page}, nil
}

// Mine lists every collaborative the viewer belongs to, by name (for the header's menu).
func (s *Collaboratives) Mine(ctx context.Context, viewer *User) ([]*Collaborative, error) {
	if viewer == nil {
		return nil, nil
	}
	items, _, err := s.Members.Collaboratives(ctx, CollaborativeFilter{MemberID: viewer.ID, Page: 1, PageSize: MaxPageSize})
	return items, err
}

// CollaborativesIn implements CollaborativeLister for district and cluster pages: a
// private collaborative is named (and linked) for everyone, its description only for
// whoever may see inside.
func (s *Collaboratives) CollaborativesIn(ctx context.Context, viewer *User, scope DirectoryScope) ([]CollaborativeRef, error) {
	cs, err := s.Members.CollaborativesIn(ctx, scope)
	if err != nil {
		return nil, err
	}
	out := make([]CollaborativeRef, 0, len(cs))
	for _, c := range cs {
		ref := CollaborativeRef{Slug: c.Slug, Name: c.Name, Private: c.Private()}
		if !c.Private() {
			ref.Description = c.Description
		} else if viewer != nil {
			a, err := s.Store.CollaborativeAccess(ctx, c.Slug, viewer)
			if err != nil {
				return nil, err
			}
			if a.CanSeeInside() {
				ref.Description = c.Description
			}
		}
		out = append(out, ref)
	}
	return out, nil
}

// Home returns what viewer (nil: anonymous) sees of a collaborative: everyone its name,
// description and leads; who may see inside its members and what the providers bring;
// its managers the pending requests. Returns NotFoundCollaborative.
func (s *Collaboratives) Home(ctx context.Context, viewer *User, slug string) (*CollaborativeHome, error) {
	a, err := s.access(ctx, viewer, slug)
	if err != nil {
		return nil, err
	}
	g := a.Collaborative
	h := &CollaborativeHome{Access: a, Inside: a.CanSeeInside(), Leads: []Member{}, Channels: []ChannelSummary{}}
	members, total, err := s.Members.CollaborativeMembers(ctx, g.ID, MaxMembersListed)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		if m.Role == MemberRoleLead {
			h.Leads = append(h.Leads, m)
		}
	}
	if viewer != nil && !a.Member() {
		if h.Requested, err = s.Members.HasJoinRequest(ctx, g.ID, viewer.ID); err != nil {
			return nil, err
		}
	}
	if !h.Inside {
		return h, nil
	}
	h.Members, h.MembersTotal = members, total
	if a.CanManage() {
		if h.Requests, err = s.Members.JoinRequests(ctx, g.ID, MaxJoinRequestsListed); err != nil {
			return nil, err
		}
	}
	if s.Channels != nil {
		if h.Channels, err = s.Channels.CollaborativeChannels(ctx, a); err != nil {
			return nil, err
		}
	}
	if s.Meetings != nil {
		if h.NextMeeting, err = s.Meetings.NextMeeting(ctx, a, s.now()); err != nil {
			return nil, err
		}
	}
	if s.Actions != nil {
		if h.OpenActions, err = s.Actions.OpenActions(ctx, a, HomeActionsLimit); err != nil {
			return nil, err
		}
	}
	if s.Questions != nil {
		if h.Questions, err = s.Questions.CollaborativeQuestions(ctx, a, HomeQuestionsLimit); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Join makes the viewer a member of a public collaborative (JoinedNow) or asks the leads
// of a private one (JoinRequested). Returns NotFoundCollaborative, unauthorized, conflict
// "already_member" or "request_pending".
func (s *Collaboratives) Join(ctx context.Context, by *User, slug string) (JoinOutcome, error) {
	if by == nil {
		return "", Errorf(EUnauthorized, "Sign in to join a collaborative.")
	}
	if _, err := ParseCollaborativeSlug("slug", slug); err != nil {
		return "", NotFoundCollaborative(slug)
	}
	return s.Members.Join(ctx, MemberChange{Slug: slug, By: by, UserID: by.ID, Now: s.now()})
}

// manage reads the access of a lead's action and checks it.
func (s *Collaboratives) manage(ctx context.Context, by *User, slug string) (CollaborativeAccess, error) {
	a, err := s.access(ctx, by, slug)
	if err != nil {
		return a, err
	}
	return a, a.CheckManage(NotFoundCollaborative(slug))
}

// Requests lists the pending requests to join, for the collaborative's managers. Returns
// not_found and CheckManage's errors.
func (s *Collaboratives) Requests(ctx context.Context, by *User, slug string) ([]JoinRequest, error) {
	a, err := s.manage(ctx, by, slug)
	if err != nil {
		return nil, err
	}
	return s.Members.JoinRequests(ctx, a.Collaborative.ID, MaxJoinRequestsListed)
}

// AnswerRequest approves or declines a request to join. Returns not_found (also
// "no_request") and CheckManage's errors.
func (s *Collaboratives) AnswerRequest(ctx context.Context, by *User, slug string, userID int64, approve bool) error {
	if _, err := s.manage(ctx, by, slug); err != nil {
		return err
	}
	return s.Members.AnswerJoinRequest(ctx, MemberChange{Slug: slug, By: by, UserID: userID, Now: s.now()}, approve)
}

// parseRole reads a role given by a lead; "" is member.
func parseRole(role string) (MemberRole, error) {
	if strings.TrimSpace(role) == "" {
		return MemberRoleMember, nil
	}
	return ParseMemberRole("role", role)
}

// AddMember makes a person a member (or lead) at a lead's word. Returns not_found,
// CheckManage's errors, invalid "invalid_role", invalid "unknown_user" naming user_id,
// conflict "already_member".
func (s *Collaboratives) AddMember(ctx context.Context, by *User, slug string, userID int64, role string) (*Member, error) {
	if _, err := s.manage(ctx, by, slug); err != nil {
		return nil, err
	}
	r, err := parseRole(role)
	if err != nil {
		return nil, err
	}
	if userID <= 0 {
		return nil, Invalid("user_id", "unknown_user", "Name the person to add by their user_id.")
	}
	if _, err := s.Users.UserByID(ctx, userID); IsKind(err, ENotFound) {
		return nil, Invalid("user_id", "unknown_user", "There is no user %d.", userID)
	} else if err != nil {
		return nil, err
	}
	return s.Members.AddMember(ctx, MemberChange{Slug: slug, By: by, UserID: userID, Role: r, Now: s.now()})
}

// AddMemberByName is AddMember naming the person by username (or email). Returns invalid
// "unknown_user" naming username when nobody has it.
func (s *Collaboratives) AddMemberByName(ctx context.Context, by *User, slug, username, role string) (*Member, error) {
	if _, err := s.manage(ctx, by, slug); err != nil {
		return nil, err
	}
	name, err := CleanLine("username", username)
	if err != nil {
		return nil, err
	}
	name = strings.TrimPrefix(name, "@")
	if name == "" {
		return nil, Invalid("username", "unknown_user", "Type the username of the person to add.")
	}
	u, err := s.Users.UserByLogin(ctx, name)
	if IsKind(err, ENotFound) {
		return nil, Invalid("username", "unknown_user", "Nobody here has the username %q.", truncate(name, 40))
	} else if err != nil {
		return nil, err
	}
	return s.AddMember(ctx, by, slug, u.ID, role)
}

// RemoveMember takes a person out: themselves (leaving), or anyone at a lead's word.
// Returns not_found (also "not_a_member"), CheckManage's errors, conflict "last_lead".
func (s *Collaboratives) RemoveMember(ctx context.Context, by *User, slug string, userID int64) error {
	if by == nil {
		return Errorf(EUnauthorized, "Sign in first.")
	}
	if _, err := ParseCollaborativeSlug("slug", slug); err != nil {
		return NotFoundCollaborative(slug)
	}
	return s.Members.RemoveMember(ctx, MemberChange{Slug: slug, By: by, UserID: userID, Now: s.now()})
}

// SetRole promotes a member to lead or makes a lead a member. Returns not_found (also
// "not_a_member"), CheckManage's errors, invalid "invalid_role", conflict "last_lead".
func (s *Collaboratives) SetRole(ctx context.Context, by *User, slug string, userID int64, role string) (*Member, error) {
	if _, err := s.manage(ctx, by, slug); err != nil {
		return nil, err
	}
	r, err := ParseMemberRole("role", role)
	if err != nil {
		return nil, err
	}
	return s.Members.SetMemberRole(ctx, MemberChange{Slug: slug, By: by, UserID: userID, Role: r, Now: s.now()})
}

// AcceptInvite makes the signed-in person a member with an invitation to a collaborative.
// Returns unauthorized, the invitation's not_found and gone errors, invalid
// "not_a_collaborative_invite", conflict "already_member".
func (s *Collaboratives) AcceptInvite(ctx context.Context, by *User, token string) (*Collaborative, error) {
	if by == nil {
		return nil, Errorf(EUnauthorized, "Sign in to accept the invitation.")
	}
	if !LooksLikeSessionID(token) {
		return nil, unknownInvite()
	}
	g, err := s.Members.AcceptCollaborativeInvite(ctx, HashSecret(token), MemberChange{By: by, UserID: by.ID, Now: s.now()})
	if IsKind(err, ENotFound) && AsError(err).Code == "" {
		return nil, unknownInvite()
	}
	return g, err
}
