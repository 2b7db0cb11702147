package forum

import (
	"context"
	"time"
)

// A tag synonym makes one tag name stand for another (sbg for standards-based-grading):
// questions asked or retagged with the synonym are filed under its master, and searches
// for [sbg] find the master's questions. Privileged people (the edit privilege; moderators)
// add them.

// TagSynonym is a name that stands for its master tag.
type TagSynonym struct {
	Synonym   string
	Master    string
	CreatedBy int64
	CreatedAt time.Time
}

// TagSynonymState is what a store reads, in the transaction that would add a synonym, for
// CheckTagSynonym to decide.
type TagSynonymState struct {
	MasterExists     bool
	MasterIsSynonym  string // the master's own master, when the master is itself a synonym
	SynonymOf        string // the tag the synonym already stands for, if any
	SynonymQuestions int    // questions filed under the synonym as a tag of its own
}

// CheckTagSynonym is the rule for a new synonym. It returns not_found when the master is
// no tag, invalid "same_tag" for a tag made its own synonym, and conflict "synonym_exists"
// (it stands for a tag already), "master_is_synonym" (name the tag it stands for instead:
// synonyms do not chain) or "tag_in_use" (questions are filed under it: retag them first).
func CheckTagSynonym(synonym, master string, st TagSynonymState) error {
	switch {
	case synonym == master:
		return Invalid("synonym", "same_tag", "A tag cannot be a synonym of itself.")
	case st.MasterIsSynonym != "":
		return Coded(EConflict, "master_is_synonym", "%q is itself a synonym of %q: add the synonym to %q.", master, st.MasterIsSynonym, st.MasterIsSynonym)
	case !st.MasterExists:
		return Errorf(ENotFound, "There is no tag %q.", master)
	case st.SynonymOf == master:
		return Coded(EConflict, "synonym_exists", "%q is already a synonym of %q.", synonym, master)
	case st.SynonymOf != "":
		return Coded(EConflict, "synonym_exists", "%q is already a synonym of %q.", synonym, st.SynonymOf)
	case st.SynonymQuestions > 0:
		return Coded(EConflict, "tag_in_use", "%d questions are tagged %q: retag them to %q before making it a synonym.", st.SynonymQuestions, synonym, master)
	}
	return nil
}

// TagSynonymStore keeps tag synonyms.
type TagSynonymStore interface {
	// TagSynonyms lists the synonyms of master, oldest first.
	TagSynonyms(ctx context.Context, master string) ([]TagSynonym, error)
	// TagMasters returns the master of each of names that is a synonym.
	TagMasters(ctx context.Context, names []string) (map[string]string, error)
	// AddTagSynonym stores s after reading its state and applying CheckTagSynonym in the
	// same transaction; it returns that rule's errors.
	AddTagSynonym(ctx context.Context, s TagSynonym) error
}

// CanonicalTags rewrites synonyms among tags to their masters, keeping the order and
// dropping the repeats that makes. A nil store rewrites nothing.
func CanonicalTags(ctx context.Context, store TagSynonymStore, tags []string) ([]string, error) {
	if store == nil || len(tags) == 0 {
		return tags, nil
	}
	masters, err := store.TagMasters(ctx, tags)
	if err != nil {
		return nil, err
	}
	if len(masters) == 0 {
		return tags, nil
	}
	out := make([]string, 0, len(tags))
	seen := map[string]bool{}
	for _, t := range tags {
		if m, ok := masters[t]; ok {
			t = m
		}
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out, nil
}

// TagSynonyms is the service that lists and adds synonyms.
type TagSynonyms struct {
	Store      TagSynonymStore
	Privileges PrivilegeRules
	Now        func() time.Time
}

// List returns a tag's synonyms (none for a tag that has none, or that does not exist).
func (s *TagSynonyms) List(ctx context.Context, master string) ([]TagSynonym, error) {
	m, err := NormalizeTag(master)
	if err != nil {
		return nil, Errorf(ENotFound, "There is no tag %q.", truncate(master, 40))
	}
	return s.Store.TagSynonyms(ctx, m)
}

// Add makes synonym stand for master. It needs the edit privilege (forbidden
// "insufficient_reputation"), a valid name (invalid, field "synonym") and passes
// CheckTagSynonym.
func (s *TagSynonyms) Add(ctx context.Context, u *User, master, synonym string) (*TagSynonym, error) {
	if err := s.Privileges.Rules().Check(u, PrivEdit); err != nil {
		return nil, err
	}
	m, err := NormalizeTag(master)
	if err != nil {
		return nil, Errorf(ENotFound, "There is no tag %q.", truncate(master, 40))
	}
	syn, err := NormalizeTag(synonym)
	if err != nil {
		return nil, err.(*Error).WithField("synonym")
	}
	ts := TagSynonym{Synonym: syn, Master: m, CreatedBy: u.ID, CreatedAt: s.Now().UTC()}
	if err := s.Store.AddTagSynonym(ctx, ts); err != nil {
		return nil, err
	}
	return &ts, nil
}
