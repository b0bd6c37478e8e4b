-- SPEC §5: billing-grade view counting, written by the video-views job.

-- The audit trail: one row per raw record that parsed (the rest are dead letters).
CREATE TABLE view_ledger (
    id               BIGSERIAL    PRIMARY KEY,
    event_id         VARCHAR(100) NOT NULL,
    video_id         VARCHAR(100) NOT NULL,
    user_id          VARCHAR(100) NOT NULL,
    session_id       VARCHAR(100) NOT NULL,
    event_time       TIMESTAMPTZ  NOT NULL,
    view_duration    INT          NOT NULL,       -- seconds
    counted          BOOLEAN      NOT NULL,       -- billed
    reason           VARCHAR(16),                 -- why not: duplicate | too_short | late
    revenue_eligible BOOLEAN      NOT NULL,
    window_start     TIMESTAMPTZ  NOT NULL,       -- the event-time hour
    kafka_topic      VARCHAR(255) NOT NULL,
    kafka_partition  INT          NOT NULL,
    kafka_offset     BIGINT       NOT NULL,
    recorded_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    CONSTRAINT view_ledger_reason_ck CHECK (counted = (reason IS NULL)),
    CONSTRAINT view_ledger_source_uq UNIQUE (kafka_topic, kafka_partition, kafka_offset)
);
-- a view is billed once, ever: the database refuses a second counted row for an event id
CREATE UNIQUE INDEX view_ledger_billed_once ON view_ledger (event_id) WHERE counted;
CREATE INDEX view_ledger_video_hour_idx ON view_ledger (video_id, window_start) WHERE counted;

-- Counted views per video and event-time hour.
CREATE TABLE video_views_1h (
    window_start  TIMESTAMPTZ  NOT NULL,
    video_id      VARCHAR(100) NOT NULL,
    total_views   BIGINT       NOT NULL,
    revenue_views BIGINT       NOT NULL,
    updated_at    TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (window_start, video_id)
);

CREATE TABLE payout_rates (
    video_id      VARCHAR(100)  PRIMARY KEY,
    rate_per_view NUMERIC(12,6) NOT NULL CHECK (rate_per_view >= 0),
    currency      CHAR(3)       NOT NULL DEFAULT 'USD'
);

-- What each video earns per day: revenue views x its rate (exact NUMERIC, rounded to cents).
CREATE VIEW video_payouts AS
SELECT v.video_id, date_trunc('day', v.window_start) AS day, sum(v.revenue_views) AS revenue_views,
       r.rate_per_view, r.currency, round(sum(v.revenue_views) * r.rate_per_view, 2) AS payout
FROM video_views_1h v JOIN payout_rates r USING (video_id)
GROUP BY v.video_id, date_trunc('day', v.window_start), r.rate_per_view, r.currency;

-- The batch recomputation (the same job with --bounded) writes here; `Reconcile` compares.
CREATE SCHEMA reconcile;
CREATE TABLE reconcile.view_ledger (LIKE public.view_ledger INCLUDING ALL);
CREATE TABLE reconcile.video_views_1h (LIKE public.video_views_1h INCLUDING ALL);
