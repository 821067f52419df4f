-- Migration 2 of a Marginalia team server, run as the owner role ({analysts}, {adjudicators}:
-- the group roles). Removing an article from the team corpus is an adjudicator's decision:
-- an analyst's update may neither tombstone an article nor bring a tombstoned one back. The
-- tombstone takes everything that hangs on the article down with it, in the same transaction
-- (so the same version), and nothing new may be written on a deleted article.

DROP POLICY insert_own ON marginalia.articles;
CREATE POLICY insert_own ON marginalia.articles FOR INSERT TO {analysts}
    WITH CHECK (added_by = current_user AND NOT deleted);
DROP POLICY update_own ON marginalia.articles;
CREATE POLICY update_own ON marginalia.articles FOR UPDATE TO {analysts}
    USING (added_by = current_user AND NOT deleted)
    WITH CHECK (added_by = current_user AND NOT deleted);
-- Policies of one command are OR-ed: adjudicators keep update_any (tombstone or revive any).

-- AFTER an article is tombstoned: its spans, tags, statuses, relations and decisions too.
-- SECURITY DEFINER (the owner, who bypasses row-level security): the adjudicator deleting the
-- article may not write analysts' rows one by one, but the article's deletion covers them.
CREATE FUNCTION marginalia.article_deleted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    UPDATE marginalia.relations SET deleted = true WHERE article_uid = NEW.uid AND NOT deleted;
    UPDATE marginalia.spans SET deleted = true WHERE article_uid = NEW.uid AND NOT deleted;
    UPDATE marginalia.tags SET deleted = true WHERE article_uid = NEW.uid AND NOT deleted;
    UPDATE marginalia.statuses SET deleted = true WHERE article_uid = NEW.uid AND NOT deleted;
    UPDATE marginalia.decisions SET deleted = true WHERE article_uid = NEW.uid AND NOT deleted;
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION marginalia.article_deleted() FROM PUBLIC;
CREATE TRIGGER article_deleted AFTER UPDATE OF deleted ON marginalia.articles
    FOR EACH ROW WHEN (NEW.deleted AND NOT OLD.deleted)
    EXECUTE FUNCTION marginalia.article_deleted();

-- BEFORE INSERT OR UPDATE of a live row that hangs on an article: the article must be live
-- (a client that has not heard of the deletion yet is told, and writes nothing).
CREATE FUNCTION marginalia.article_is_live() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT NEW.deleted AND EXISTS (
        SELECT 1 FROM marginalia.articles a WHERE a.uid = NEW.article_uid AND a.deleted
    ) THEN
        RAISE EXCEPTION 'marginalia.%: article % was deleted from the team corpus',
            TG_TABLE_NAME, NEW.article_uid USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER b_article_live BEFORE INSERT OR UPDATE ON marginalia.spans
    FOR EACH ROW EXECUTE FUNCTION marginalia.article_is_live();
CREATE TRIGGER b_article_live BEFORE INSERT OR UPDATE ON marginalia.tags
    FOR EACH ROW EXECUTE FUNCTION marginalia.article_is_live();
CREATE TRIGGER b_article_live BEFORE INSERT OR UPDATE ON marginalia.statuses
    FOR EACH ROW EXECUTE FUNCTION marginalia.article_is_live();
CREATE TRIGGER b_article_live BEFORE INSERT OR UPDATE ON marginalia.relations
    FOR EACH ROW EXECUTE FUNCTION marginalia.article_is_live();
CREATE TRIGGER b_article_live BEFORE INSERT OR UPDATE ON marginalia.decisions
    FOR EACH ROW EXECUTE FUNCTION marginalia.article_is_live();

-- The exclusive tag groups are a JSON list, as a project holds them (schema_settings are the
-- adjudicators' since migration 1; clients sync them from this version on).
ALTER TABLE marginalia.schema_settings ADD CONSTRAINT exclusive_groups_are_a_list
    CHECK (key <> 'exclusive_tag_groups' OR jsonb_typeof(value::jsonb) = 'array');
