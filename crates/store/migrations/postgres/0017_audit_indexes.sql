-- Pages at scale (issue 13, item 5): the audit page counts entries not yet chained at every view (a scan of the
-- whole log without this partial index, which holds only those few), and filters by action (a walk of the log by
-- sequence number without an index on it).
CREATE INDEX audit_events_unchained ON audit_events (id) WHERE seq IS NULL OR prev_hash IS NULL OR hash IS NULL;
CREATE INDEX audit_events_action ON audit_events (action, seq);
