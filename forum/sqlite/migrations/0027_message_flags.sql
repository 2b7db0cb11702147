-- Flags on channel messages (forum/flag.go): a message hidden by flags pending review is
-- soft-deleted as well (deleted_at), so that every history page, thread, pin list, archive
-- and unread count already leaves it out, and hidden_at says that it is hidden rather than
-- deleted, so that its author still sees it, marked, and a moderator can restore it.
ALTER TABLE messages ADD COLUMN hidden_at TIMESTAMP;
