-- Migration 1 of a Marginalia team server (DESIGN.md section 15), run as the owner role.
-- {analysts} and {adjudicators} are the two group roles (quoted identifiers, filled in by
-- core/sync/server_schema.py). Every row has version (the counter value of the transaction that
-- last wrote it), deleted (a tombstone: rows are never removed) and who wrote it.

CREATE TABLE marginalia.server_meta (
    key text PRIMARY KEY,
    value text NOT NULL
);
COMMENT ON TABLE marginalia.server_meta IS
    'identity (a uuid made by init) and the names of the owner, analysts and adjudicators roles';

-- One row: the version of the last committed writing transaction.
CREATE TABLE marginalia.change_counter (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL,
    xact xid8 NOT NULL  -- the transaction that set version (so it bumps once per transaction)
);
INSERT INTO marginalia.change_counter (one, version, xact)
    VALUES (true, 0, pg_current_xact_id());

-- The version of the calling transaction: the counter bumped on its first write, the same
-- number for every later row it writes. The counter row's lock is held to commit, so writers
-- queue on it and versions commit in the order they were given: a reader that saw version v
-- committed has seen every version below v. A sequence would not do: a later number can commit
-- first, and a cursor past it would skip the earlier one for ever. A rolled-back transaction's
-- bump is rolled back with it, so no number goes missing.
CREATE FUNCTION marginalia.next_version() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    given bigint;
    mine boolean;
BEGIN
    SELECT version, xact = pg_current_xact_id() INTO given, mine FROM marginalia.change_counter;
    IF mine THEN
        RETURN given;
    END IF;
    UPDATE marginalia.change_counter SET version = version + 1, xact = pg_current_xact_id()
        RETURNING version INTO given;
    -- Delivered at commit only, once per transaction; a hint for live updates, never the truth.
    PERFORM pg_notify('marginalia_changes', given::text);
    RETURN given;
END $$;
REVOKE ALL ON FUNCTION marginalia.next_version() FROM PUBLIC;

-- BEFORE INSERT OR UPDATE on every synced table: the row's version and server time.
CREATE FUNCTION marginalia.stamp() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW.version := marginalia.next_version();
    NEW.changed_at := statement_timestamp();
    RETURN NEW;
END $$;

-- BEFORE UPDATE: the columns named as trigger arguments never change once written (a key,
-- whose the row is, an article's text: spans index into it).
CREATE FUNCTION marginalia.keep_columns() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    col text;
BEGIN
    FOREACH col IN ARRAY TG_ARGV LOOP
        IF to_jsonb(NEW) -> col IS DISTINCT FROM to_jsonb(OLD) -> col THEN
            RAISE EXCEPTION 'marginalia.%: % cannot change once written', TG_TABLE_NAME, col
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    RETURN NEW;
END $$;

-- BEFORE INSERT OR UPDATE on tables written by adjudicators: who wrote it, said by the server.
CREATE FUNCTION marginalia.set_writer() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], current_user));
    RETURN NEW;
END $$;

-- A layer (the adjudicated layer, imported work) is an annotator name that is nobody's login:
-- adjudicators may write such rows, never a person's.
CREATE FUNCTION marginalia.is_layer(annotator text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = annotator)
$$;

CREATE TABLE marginalia.articles (
    uid text PRIMARY KEY CHECK (uid <> ''),
    title text NOT NULL DEFAULT '',
    source text NOT NULL DEFAULT '',
    url text NOT NULL DEFAULT '',
    published text,
    text text NOT NULL,
    text_sha256 text NOT NULL,
    meta text NOT NULL DEFAULT '{{}}' CHECK (jsonb_typeof(meta::jsonb) = 'object'),
    imported_at text NOT NULL,
    added_by text NOT NULL DEFAULT current_user,
    deleted boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    CONSTRAINT text_sha256_matches
        CHECK (text_sha256 = encode(sha256(convert_to(text, 'UTF8')), 'hex'))
);
CREATE INDEX articles_by_version ON marginalia.articles (version);
CREATE INDEX articles_by_sha ON marginalia.articles (text_sha256);

CREATE TABLE marginalia.labels (
    name text PRIMARY KEY CHECK (name <> ''),
    kind text NOT NULL CHECK (kind IN ('span', 'document')),
    color text NOT NULL DEFAULT '',
    key text NOT NULL DEFAULT '',
    label_group text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    position integer NOT NULL DEFAULT 0,
    changed_by text NOT NULL DEFAULT current_user,
    deleted boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
CREATE INDEX labels_by_version ON marginalia.labels (version);

-- Relation types (DESIGN.md section 14), as the project's relation_types table.
CREATE TABLE marginalia.relation_types (
    name text PRIMARY KEY CHECK (name <> ''),
    color text NOT NULL DEFAULT '',
    key text NOT NULL DEFAULT '',
    directed boolean NOT NULL DEFAULT true,
    from_labels text NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(from_labels::jsonb) = 'array'),
    to_labels text NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(to_labels::jsonb) = 'array'),
    description text NOT NULL DEFAULT '',
    position integer NOT NULL DEFAULT 0,
    changed_by text NOT NULL DEFAULT current_user,
    deleted boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
CREATE INDEX relation_types_by_version ON marginalia.relation_types (version);

-- The rest of the label schema, by key (e.g. exclusive_tag_groups: a JSON list).
CREATE TABLE marginalia.schema_settings (
    key text PRIMARY KEY CHECK (key <> ''),
    value text NOT NULL,
    changed_by text NOT NULL DEFAULT current_user,
    deleted boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
CREATE INDEX schema_settings_by_version ON marginalia.schema_settings (version);

CREATE TABLE marginalia.spans (
    uuid text PRIMARY KEY CHECK (uuid <> ''),
    article_uid text NOT NULL REFERENCES marginalia.articles (uid),
    annotator text NOT NULL DEFAULT current_user CHECK (annotator <> ''),
    label text NOT NULL,
    start integer NOT NULL CHECK (start >= 0),
    "end" integer NOT NULL CHECK ("end" > start),
    quote text NOT NULL,
    fragments text NOT NULL DEFAULT '',
    note text NOT NULL DEFAULT '',
    review_status text,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
CREATE INDEX spans_by_version ON marginalia.spans (version);
CREATE INDEX spans_by_article ON marginalia.spans (article_uid);

-- The offset rule on the server too: substr() counts code points in a UTF8 database. The
-- quote's own length stands in for end <= length(text) (substr stops at the text's end), which
-- would measure the whole text for every span: a push of many spans costs twice as much.
CREATE FUNCTION marginalia.span_quote_matches() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF char_length(NEW.quote) <> NEW."end" - NEW.start OR NOT EXISTS (
        SELECT 1 FROM marginalia.articles a
        WHERE a.uid = NEW.article_uid
          AND substr(a.text, NEW.start + 1, NEW."end" - NEW.start) = NEW.quote
    ) THEN
        RAISE EXCEPTION 'span %: its quote is not the text of article % at %..%',
            NEW.uuid, NEW.article_uid, NEW.start, NEW."end" USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TABLE marginalia.tags (
    uuid text PRIMARY KEY CHECK (uuid <> ''),
    article_uid text NOT NULL REFERENCES marginalia.articles (uid),
    annotator text NOT NULL DEFAULT current_user CHECK (annotator <> ''),
    label text NOT NULL,
    note text NOT NULL DEFAULT '',
    created_at text NOT NULL,
    updated_at text NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT statement_timestamp()
);
CREATE INDEX tags_by_version ON marginalia.tags (version);
CREATE INDEX tags_by_article ON marginalia.tags (article_uid);
-- One live tag per article, annotator and label, as in the project file.
CREATE UNIQUE INDEX tags_one_live ON marginalia.tags (article_uid, annotator, label)
    WHERE NOT deleted;

CREATE TABLE marginalia.statuses (
    article_uid text NOT NULL REFERENCES marginalia.articles (uid),
    annotator text NOT NULL DEFAULT current_user CHECK (annotator <> ''),
    status text NOT NULL CHECK (status IN ('todo', 'in progress', 'done')),
    updated_at text NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    PRIMARY KEY (article_uid, annotator)
);
CREATE INDEX statuses_by_version ON marginalia.statuses (version);

-- Relations (DESIGN.md section 14): two spans of one article.
CREATE TABLE marginalia.relations (
    uuid text PRIMARY KEY CHECK (uuid <> ''),
    article_uid text NOT NULL REFERENCES marginalia.articles (uid),
    annotator text NOT NULL DEFAULT current_user CHECK (annotator <> ''),
    type text NOT NULL,
    from_span text NOT NULL REFERENCES marginalia.spans (uuid),
    to_span text NOT NULL REFERENCES marginalia.spans (uuid),
    note text NOT NULL DEFAULT '',
    created_at text NOT NULL,
    updated_at text NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    CHECK (from_span <> to_span)
);
CREATE INDEX relations_by_version ON marginalia.relations (version);
CREATE INDEX relations_by_article ON marginalia.relations (article_uid);

-- Adjudication decisions, as the project's adjudications table (item_key: the compared uuids).
CREATE TABLE marginalia.decisions (
    layer text NOT NULL CHECK (layer <> ''),
    item_key text NOT NULL,
    article_uid text NOT NULL REFERENCES marginalia.articles (uid),
    kind text NOT NULL CHECK (kind IN ('span', 'document')),
    decision text NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    source_uuid text,
    result_uuid text,
    created boolean NOT NULL DEFAULT false,
    decided_by text NOT NULL DEFAULT current_user,
    decided_at text NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    version bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT statement_timestamp(),
    PRIMARY KEY (layer, item_key)
);
CREATE INDEX decisions_by_version ON marginalia.decisions (version);

-- Triggers. BEFORE triggers fire in name order: checks first, the stamp last.
CREATE TRIGGER a_keep BEFORE UPDATE ON marginalia.articles
    FOR EACH ROW EXECUTE FUNCTION marginalia.keep_columns('uid', 'text', 'text_sha256', 'added_by');
CREATE TRIGGER a_keep BEFORE UPDATE ON marginalia.labels
    FOR EACH ROW EXECUTE FUNCTION marginalia.keep_columns('name');
CREATE TRIGGER a_keep BEFORE UPDATE ON marginalia.relation_types
    FOR EACH ROW EXECUTE FUNCTION marginalia.keep_columns('name');
CREATE TRIGGER a_keep BEFORE UPDATE ON marginalia.schema_settings
    FOR EACH ROW EXECUTE FUNCTION marginalia.keep_columns('key');
CREATE TRIGGER a_keep BEFORE UPDATE ON marginalia.spans
    FOR EACH ROW EXECUTE FUNCTION marginalia.keep_columns('uuid', 'article_uid', 'annotator');
CREATE TRIGGER a_keep BEFORE UPDATE ON marginalia.tags
    FOR EACH ROW EXECUTE FUNCTION marginalia.keep_columns('uuid', 'article_uid', 'annotator');
CREATE TRIGGER a_keep BEFORE UPDATE ON marginalia.statuses
    FOR EACH ROW EXECUTE FUNCTION marginalia.keep_columns('article_uid', 'annotator');
CREATE TRIGGER a_keep BEFORE UPDATE ON marginalia.relations
    FOR EACH ROW EXECUTE FUNCTION marginalia.keep_columns('uuid', 'article_uid', 'annotator');
CREATE TRIGGER a_keep BEFORE UPDATE ON marginalia.decisions
    FOR EACH ROW EXECUTE FUNCTION marginalia.keep_columns('layer', 'item_key', 'article_uid');
CREATE TRIGGER b_quote BEFORE INSERT OR UPDATE OF article_uid, start, "end", quote
    ON marginalia.spans FOR EACH ROW EXECUTE FUNCTION marginalia.span_quote_matches();
CREATE TRIGGER c_writer BEFORE INSERT OR UPDATE ON marginalia.labels
    FOR EACH ROW EXECUTE FUNCTION marginalia.set_writer('changed_by');
CREATE TRIGGER c_writer BEFORE INSERT OR UPDATE ON marginalia.relation_types
    FOR EACH ROW EXECUTE FUNCTION marginalia.set_writer('changed_by');
CREATE TRIGGER c_writer BEFORE INSERT OR UPDATE ON marginalia.schema_settings
    FOR EACH ROW EXECUTE FUNCTION marginalia.set_writer('changed_by');
CREATE TRIGGER c_writer BEFORE INSERT OR UPDATE ON marginalia.decisions
    FOR EACH ROW EXECUTE FUNCTION marginalia.set_writer('decided_by');
CREATE TRIGGER z_stamp BEFORE INSERT OR UPDATE ON marginalia.articles
    FOR EACH ROW EXECUTE FUNCTION marginalia.stamp();
CREATE TRIGGER z_stamp BEFORE INSERT OR UPDATE ON marginalia.labels
    FOR EACH ROW EXECUTE FUNCTION marginalia.stamp();
CREATE TRIGGER z_stamp BEFORE INSERT OR UPDATE ON marginalia.relation_types
    FOR EACH ROW EXECUTE FUNCTION marginalia.stamp();
CREATE TRIGGER z_stamp BEFORE INSERT OR UPDATE ON marginalia.schema_settings
    FOR EACH ROW EXECUTE FUNCTION marginalia.stamp();
CREATE TRIGGER z_stamp BEFORE INSERT OR UPDATE ON marginalia.spans
    FOR EACH ROW EXECUTE FUNCTION marginalia.stamp();
CREATE TRIGGER z_stamp BEFORE INSERT OR UPDATE ON marginalia.tags
    FOR EACH ROW EXECUTE FUNCTION marginalia.stamp();
CREATE TRIGGER z_stamp BEFORE INSERT OR UPDATE ON marginalia.statuses
    FOR EACH ROW EXECUTE FUNCTION marginalia.stamp();
CREATE TRIGGER z_stamp BEFORE INSERT OR UPDATE ON marginalia.relations
    FOR EACH ROW EXECUTE FUNCTION marginalia.stamp();
CREATE TRIGGER z_stamp BEFORE INSERT OR UPDATE ON marginalia.decisions
    FOR EACH ROW EXECUTE FUNCTION marginalia.stamp();

-- The server's identity: the uuid made by init and this database's oid, so a restore into a
-- new database (pg_dump, pg_restore) reads as another server.
CREATE FUNCTION marginalia.server_identity() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT m.value || '/' || d.oid::text
    FROM marginalia.server_meta m, pg_catalog.pg_database d
    WHERE m.key = 'identity' AND d.datname = current_database()
$$;

-- Privileges: everyone reads; analysts insert and update (never DELETE: deletions are
-- tombstones, so every client hears of them); labels, relation types, settings and decisions
-- are the adjudicators'. Row-level security narrows writes to one's own rows, per command.
GRANT USAGE ON SCHEMA marginalia TO {analysts};
GRANT SELECT ON ALL TABLES IN SCHEMA marginalia TO {analysts};
-- Tables later migrations add are readable too (writes stay granted one by one).
ALTER DEFAULT PRIVILEGES IN SCHEMA marginalia GRANT SELECT ON TABLES TO {analysts};
GRANT INSERT, UPDATE ON marginalia.articles, marginalia.spans, marginalia.tags,
    marginalia.statuses, marginalia.relations TO {analysts};
GRANT INSERT, UPDATE ON marginalia.labels, marginalia.relation_types,
    marginalia.schema_settings, marginalia.decisions TO {adjudicators};

ALTER TABLE marginalia.articles ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON marginalia.articles FOR SELECT TO {analysts} USING (true);
CREATE POLICY insert_own ON marginalia.articles FOR INSERT TO {analysts}
    WITH CHECK (added_by = current_user);
CREATE POLICY update_own ON marginalia.articles FOR UPDATE TO {analysts}
    USING (added_by = current_user) WITH CHECK (added_by = current_user);
CREATE POLICY delete_own ON marginalia.articles FOR DELETE TO {analysts}
    USING (added_by = current_user);
CREATE POLICY update_any ON marginalia.articles FOR UPDATE TO {adjudicators}
    USING (true) WITH CHECK (true);

ALTER TABLE marginalia.labels ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON marginalia.labels FOR SELECT TO {analysts} USING (true);
CREATE POLICY insert_adjudicators ON marginalia.labels FOR INSERT TO {adjudicators}
    WITH CHECK (true);
CREATE POLICY update_adjudicators ON marginalia.labels FOR UPDATE TO {adjudicators}
    USING (true) WITH CHECK (true);
CREATE POLICY delete_adjudicators ON marginalia.labels FOR DELETE TO {adjudicators}
    USING (true);

ALTER TABLE marginalia.relation_types ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON marginalia.relation_types FOR SELECT TO {analysts} USING (true);
CREATE POLICY insert_adjudicators ON marginalia.relation_types FOR INSERT TO {adjudicators}
    WITH CHECK (true);
CREATE POLICY update_adjudicators ON marginalia.relation_types FOR UPDATE TO {adjudicators}
    USING (true) WITH CHECK (true);
CREATE POLICY delete_adjudicators ON marginalia.relation_types FOR DELETE TO {adjudicators}
    USING (true);

ALTER TABLE marginalia.schema_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON marginalia.schema_settings FOR SELECT TO {analysts} USING (true);
CREATE POLICY insert_adjudicators ON marginalia.schema_settings FOR INSERT TO {adjudicators}
    WITH CHECK (true);
CREATE POLICY update_adjudicators ON marginalia.schema_settings FOR UPDATE TO {adjudicators}
    USING (true) WITH CHECK (true);
CREATE POLICY delete_adjudicators ON marginalia.schema_settings FOR DELETE TO {adjudicators}
    USING (true);

ALTER TABLE marginalia.decisions ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON marginalia.decisions FOR SELECT TO {analysts} USING (true);
CREATE POLICY insert_adjudicators ON marginalia.decisions FOR INSERT TO {adjudicators}
    WITH CHECK (marginalia.is_layer(layer));
CREATE POLICY update_adjudicators ON marginalia.decisions FOR UPDATE TO {adjudicators}
    USING (true) WITH CHECK (marginalia.is_layer(layer));
CREATE POLICY delete_adjudicators ON marginalia.decisions FOR DELETE TO {adjudicators}
    USING (true);

ALTER TABLE marginalia.spans ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON marginalia.spans FOR SELECT TO {analysts} USING (true);
CREATE POLICY insert_own ON marginalia.spans FOR INSERT TO {analysts}
    WITH CHECK (annotator = current_user);
CREATE POLICY update_own ON marginalia.spans FOR UPDATE TO {analysts}
    USING (annotator = current_user) WITH CHECK (annotator = current_user);
CREATE POLICY delete_own ON marginalia.spans FOR DELETE TO {analysts}
    USING (annotator = current_user);
CREATE POLICY insert_layer ON marginalia.spans FOR INSERT TO {adjudicators}
    WITH CHECK (marginalia.is_layer(annotator));
CREATE POLICY update_layer ON marginalia.spans FOR UPDATE TO {adjudicators}
    USING (marginalia.is_layer(annotator)) WITH CHECK (marginalia.is_layer(annotator));

ALTER TABLE marginalia.tags ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON marginalia.tags FOR SELECT TO {analysts} USING (true);
CREATE POLICY insert_own ON marginalia.tags FOR INSERT TO {analysts}
    WITH CHECK (annotator = current_user);
CREATE POLICY update_own ON marginalia.tags FOR UPDATE TO {analysts}
    USING (annotator = current_user) WITH CHECK (annotator = current_user);
CREATE POLICY delete_own ON marginalia.tags FOR DELETE TO {analysts}
    USING (annotator = current_user);
CREATE POLICY insert_layer ON marginalia.tags FOR INSERT TO {adjudicators}
    WITH CHECK (marginalia.is_layer(annotator));
CREATE POLICY update_layer ON marginalia.tags FOR UPDATE TO {adjudicators}
    USING (marginalia.is_layer(annotator)) WITH CHECK (marginalia.is_layer(annotator));

ALTER TABLE marginalia.statuses ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON marginalia.statuses FOR SELECT TO {analysts} USING (true);
CREATE POLICY insert_own ON marginalia.statuses FOR INSERT TO {analysts}
    WITH CHECK (annotator = current_user);
CREATE POLICY update_own ON marginalia.statuses FOR UPDATE TO {analysts}
    USING (annotator = current_user) WITH CHECK (annotator = current_user);
CREATE POLICY delete_own ON marginalia.statuses FOR DELETE TO {analysts}
    USING (annotator = current_user);

ALTER TABLE marginalia.relations ENABLE ROW LEVEL SECURITY;
CREATE POLICY read_all ON marginalia.relations FOR SELECT TO {analysts} USING (true);
CREATE POLICY insert_own ON marginalia.relations FOR INSERT TO {analysts}
    WITH CHECK (annotator = current_user);
CREATE POLICY update_own ON marginalia.relations FOR UPDATE TO {analysts}
    USING (annotator = current_user) WITH CHECK (annotator = current_user);
CREATE POLICY delete_own ON marginalia.relations FOR DELETE TO {analysts}
    USING (annotator = current_user);
CREATE POLICY insert_layer ON marginalia.relations FOR INSERT TO {adjudicators}
    WITH CHECK (marginalia.is_layer(annotator));
CREATE POLICY update_layer ON marginalia.relations FOR UPDATE TO {adjudicators}
    USING (marginalia.is_layer(annotator)) WITH CHECK (marginalia.is_layer(annotator));
