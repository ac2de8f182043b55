-- Every write made for a user is audited, not only what was read back first: the tool that
-- wrote (rows before this were create_meeting's and apply_change's) and what it wrote, in a few
-- words. Rows older than AUDIT_RETENTION_DAYS are pruned.
ALTER TABLE meeting_audit ADD COLUMN tool TEXT;
ALTER TABLE meeting_audit ADD COLUMN what TEXT;
UPDATE meeting_audit SET tool = CASE
    WHEN (SELECT kind FROM meeting_drafts d WHERE d.id = meeting_audit.draft_id) = 'change'
    THEN 'apply_change' ELSE 'create_meeting' END;
CREATE INDEX meeting_audit_at ON meeting_audit (at);

-- The answers last seen from guests are kept as long as the audit: when each was recorded.
ALTER TABLE guest_responses ADD COLUMN seen_at INTEGER;
UPDATE guest_responses SET seen_at = CAST(strftime('%s', 'now') AS INTEGER);
