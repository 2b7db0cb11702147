package forum

// Not found, in the words people read. Stores say that a row is missing through these, so
// that no store phrases a message of its own and two stores cannot word one answer two
// ways (DESIGN.md "Rules live in forum"). Content that exists but that the caller may not
// see answers the same, so that a refusal never tells the two apart.

// NotFoundPost is the answer for a question or answer that is missing, deleted or hidden.
func NotFoundPost(id int64) *Error { return Errorf(ENotFound, "There is no post %d.", id) }

// NotFoundQuestion is the answer for a question that is missing, deleted or not a question.
func NotFoundQuestion(id int64) *Error { return Errorf(ENotFound, "There is no question %d.", id) }

// NotFoundAnswer is the answer for an answer that is missing, deleted or not an answer.
func NotFoundAnswer(id int64) *Error { return Errorf(ENotFound, "There is no answer %d.", id) }

// NotFoundComment is the answer for a comment that is missing or deleted, or whose post is.
func NotFoundComment(id int64) *Error { return Errorf(ENotFound, "There is no comment %d.", id) }

// NotFoundTag is the answer for a tag nobody has used.
func NotFoundTag(name string) *Error {
	return Errorf(ENotFound, "There is no tag %q.", truncate(name, 40))
}

// NotFoundUser is the answer for a person who has no account.
func NotFoundUser(id int64) *Error { return Errorf(ENotFound, "There is no user %d.", id) }

// NotFoundLogin is the answer for a username or email that names no account.
func NotFoundLogin(login string) *Error { return Errorf(ENotFound, "There is no account %q.", login) }

// NotFoundSession is the answer for a session cookie that names no session.
func NotFoundSession() *Error { return Errorf(ENotFound, "There is no such session.") }

// NotFoundToken is the answer for a bearer token that names no token.
func NotFoundToken() *Error { return Errorf(ENotFound, "There is no such token.") }

// NotFoundOwnSession is the answer when a person names a session that is not one of theirs.
func NotFoundOwnSession(id int64) *Error { return Errorf(ENotFound, "You have no session %d.", id) }

// NotFoundOwnToken is the answer when a person names an API token that is not one of theirs.
func NotFoundOwnToken(id int64) *Error { return Errorf(ENotFound, "You have no token %d.", id) }

// NotFoundInvite is the answer for an invitation that does not exist (or is not the
// caller's to see).
func NotFoundInvite() *Error { return Errorf(ENotFound, "There is no such invitation.") }

// NotFoundInviteID names the invitation asked for by id.
func NotFoundInviteID(id int64) *Error { return Errorf(ENotFound, "There is no invitation %d.", id) }

// NotFoundInviteLink is the answer for an invitation link nobody issued.
func NotFoundInviteLink() *Error { return Errorf(ENotFound, "This invitation link is not valid.") }

// NotFoundResetLink is the answer for a password reset link nobody issued.
func NotFoundResetLink() *Error { return Errorf(ENotFound, "There is no such password reset link.") }

// InviteUsed is the answer to withdrawing an invitation someone has already joined with.
func InviteUsed() *Error {
	return Coded(EConflict, "invite_used", "Someone has already joined with this invitation; it cannot be withdrawn.")
}

// TagExists is the answer to a tag name that is taken.
func TagExists(name string) *Error {
	return Coded(EConflict, "tag_exists", "There is already a tag %q; merge into it instead.", name).WithField("name")
}
