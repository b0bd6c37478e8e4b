-- The role dashboards read as (Grafana's PostgreSQL datasource, monitoring/grafana). A NOLOGIN group
-- role that may read the jobs' results and nothing else; the login user Grafana connects as is made a
-- member of it (docker-compose.yml's db-user step, or README "Applying the schema to a database")
-- and is also set default_transaction_read_only there, so a dashboard query cannot write even
-- through a function.
--
-- Granted: SELECT on every result table and view, so any panel can be built from them. Not granted:
-- flink_sink_staged_rows (the sink's in-flight rows: not results) and flyway_schema_history. The
-- functions the views call (kpi_since, top_items_since, ...) are executable by PUBLIC and run with
-- the caller's rights, so reading through them needs only SELECT on their tables.
--
-- As for the writer role (V8), a migrating user without CREATEROLE gets a warning; a DBA then runs
-- CREATE ROLE flink_pipelines_reader NOLOGIN and the schema owner SELECT flink_pipelines_grant_reader();

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flink_pipelines_reader') THEN
        BEGIN
            CREATE ROLE flink_pipelines_reader NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE WARNING 'flink_pipelines_reader: % may not create roles; have a DBA run CREATE ROLE flink_pipelines_reader NOLOGIN, then SELECT flink_pipelines_grant_reader(); as the schema owner',
                    current_user;
        END;
    END IF;
END $$;

-- Replaced (CREATE OR REPLACE) and called again by a later migration that adds a table or view.
CREATE OR REPLACE FUNCTION flink_pipelines_grant_reader() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flink_pipelines_reader') THEN
        RAISE WARNING 'role flink_pipelines_reader does not exist: nothing granted';
        RETURN false;
    END IF;

    GRANT USAGE ON SCHEMA reconcile TO flink_pipelines_reader;

    -- every job
    GRANT SELECT ON dead_letters TO flink_pipelines_reader;
    -- user-events
    GRANT SELECT ON user_events, movie_activity_1m, user_events_stats TO flink_pipelines_reader;
    -- orders
    GRANT SELECT ON events_clean, invalid_events TO flink_pipelines_reader;
    -- kpi
    GRANT SELECT ON kpi_1m, late_events, v_kpi_15m, v_kpi_1h, v_kpi_24h TO flink_pipelines_reader;
    -- drink-shop
    GRANT SELECT ON order_items_enriched, item_sales_1m, inventory_levels, inventory_alerts, v_menu_names,
        v_top_items_5m, v_top_items_60m, v_sales_per_hour, v_avg_order_value TO flink_pipelines_reader;
    -- video-views, streaming and --bounded reconciliation
    GRANT SELECT ON view_ledger, video_views_1h, payout_rates, video_payouts,
        reconcile.view_ledger, reconcile.video_views_1h TO flink_pipelines_reader;

    RETURN true;
END $$;

COMMENT ON FUNCTION flink_pipelines_grant_reader() IS
    'Grants flink_pipelines_reader read access to the jobs'' results (V9__reader_role.sql); run again after creating the role.';

REVOKE EXECUTE ON FUNCTION flink_pipelines_grant_reader() FROM PUBLIC;

SELECT flink_pipelines_grant_reader();
