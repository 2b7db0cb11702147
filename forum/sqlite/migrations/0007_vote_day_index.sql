-- The daily vote limit counts the votes a person cast today from the ledger: each vote
-- cast (up or down, even one taken back later) leaves a row with the voter as actor.
CREATE INDEX reputation_events_actor ON reputation_events (actor_id, kind, created_at);
