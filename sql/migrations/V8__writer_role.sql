-- The role the jobs write as. The jobs used to connect as the superuser that owns the schema; a
-- leaked job password then gave away the whole server. flink_pipelines_writer is a NOLOGIN group
-- role with only what the jobs' statements need; the login user the jobs connect as is made a
-- member of it (docker-compose.yml's db-user step, or README "Applying the schema to a database").
--
-- What the jobs run, and so what is granted below:
--   * the sink (common/.../postgres): INSERT ... ON CONFLICT DO NOTHING into append tables (INSERT;
--     the BIGSERIAL ids also need USAGE on their sequences), INSERT ... ON CONFLICT (key) DO UPDATE
--     into upsert tables (INSERT, UPDATE, and SELECT for the key and the "only grows" condition);
--     flink_sink_staged_rows: INSERT, SELECT, SELECT ... FOR UPDATE (needs UPDATE) and DELETE;
--   * PREPARE TRANSACTION, pg_prepared_xacts, pg_xact_status, pg_current_xact_id, advisory locks,
--     pg_locks and pg_stat_activity: open to every user, nothing to grant;
--   * pg_terminate_backend of a lingering session of the same job (SinkFence): allowed to a member
--     of the role the session runs as, and every session of a deployment is the same login user.
--     No pg_signal_backend: that would let the jobs terminate any other application's sessions;
--   * COMMIT PREPARED / ROLLBACK PREPARED (the committer, leftovers at start, SinkAdmin --abort):
--     PostgreSQL allows them only to the user that prepared the transaction or a superuser - the
--     login user, not this group role. So every job of a deployment and SinkAdmin connect as the
--     same login user, and a job is stopped with a savepoint (nothing left prepared) before it is
--     resumed as another user;
--   * Reconcile (video-views) reads public.view_ledger and both video_views_1h tables.
-- Not granted: TRUNCATE, DDL, the views, payout_rates (people maintain it), flyway_schema_history.
--
-- The migrating user may not be allowed to create roles (no CREATEROLE, e.g. a schema owner on a
-- managed database). Then a DBA creates the role once - CREATE ROLE flink_pipelines_writer NOLOGIN -
-- before or after migrating; without it this migration only warns, and once the role exists the
-- schema owner runs SELECT flink_pipelines_grant_writer(); to grant what is below. Safe to re-run.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flink_pipelines_writer') THEN
        BEGIN
            CREATE ROLE flink_pipelines_writer NOLOGIN;
        EXCEPTION
            -- a concurrent migration of another database of the same server created it first
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE WARNING 'flink_pipelines_writer: % may not create roles; have a DBA run CREATE ROLE flink_pipelines_writer NOLOGIN, then SELECT flink_pipelines_grant_writer(); as the schema owner',
                    current_user;
        END;
    END IF;
END $$;

-- A function, so the grants can be given again once the role exists, and so a later migration that
-- adds a table replaces it (CREATE OR REPLACE) and calls it: the privileges are listed in one place.
CREATE OR REPLACE FUNCTION flink_pipelines_grant_writer() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flink_pipelines_writer') THEN
        RAISE WARNING 'role flink_pipelines_writer does not exist: nothing granted';
        RETURN false;
    END IF;

    -- USAGE on schema public belongs to PUBLIC by default (PostgreSQL 15 only took CREATE away); a
    -- database that revoked it grants it to flink_pipelines_writer as well
    GRANT USAGE ON SCHEMA reconcile TO flink_pipelines_writer;

    -- every job: rejected records
    GRANT INSERT ON dead_letters TO flink_pipelines_writer;
    GRANT USAGE ON SEQUENCE dead_letters_id_seq TO flink_pipelines_writer;
    -- the sink's staging area (every job)
    GRANT SELECT, INSERT, UPDATE, DELETE ON flink_sink_staged_rows TO flink_pipelines_writer;

    -- user-events
    GRANT INSERT ON user_events TO flink_pipelines_writer;
    GRANT USAGE ON SEQUENCE user_events_id_seq TO flink_pipelines_writer;
    GRANT SELECT, INSERT, UPDATE ON movie_activity_1m TO flink_pipelines_writer;

    -- orders
    GRANT INSERT ON events_clean TO flink_pipelines_writer;

    -- kpi
    GRANT SELECT, INSERT, UPDATE ON kpi_1m TO flink_pipelines_writer;
    GRANT INSERT ON late_events TO flink_pipelines_writer;
    GRANT USAGE ON SEQUENCE late_events_id_seq TO flink_pipelines_writer;

    -- drink-shop
    GRANT INSERT ON order_items_enriched TO flink_pipelines_writer;
    GRANT SELECT, INSERT, UPDATE ON item_sales_1m TO flink_pipelines_writer;
    GRANT SELECT, INSERT, UPDATE ON inventory_levels TO flink_pipelines_writer;
    GRANT INSERT ON inventory_alerts TO flink_pipelines_writer;

    -- video-views, streaming (public) and --bounded (reconcile, whose ledger ids come from the same
    -- sequence: LIKE ... INCLUDING ALL copied the default); SELECT on the ledgers for Reconcile
    GRANT SELECT, INSERT ON view_ledger, reconcile.view_ledger TO flink_pipelines_writer;
    GRANT USAGE ON SEQUENCE view_ledger_id_seq TO flink_pipelines_writer;
    GRANT SELECT, INSERT, UPDATE ON video_views_1h, reconcile.video_views_1h TO flink_pipelines_writer;

    RETURN true;
END $$;

COMMENT ON FUNCTION flink_pipelines_grant_writer() IS
    'Grants flink_pipelines_writer what the jobs need (V8__writer_role.sql); run again after creating the role.';

-- the function is the schema owner's tool, not the jobs'
REVOKE EXECUTE ON FUNCTION flink_pipelines_grant_writer() FROM PUBLIC;

SELECT flink_pipelines_grant_writer();
