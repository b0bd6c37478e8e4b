-- SPEC §3: 1-minute business KPIs per currency, written by the kpi job from Kafka events_clean.
-- VND and USD are never summed together: currency is part of every key.
CREATE TABLE kpi_1m (
    window_start      TIMESTAMPTZ   NOT NULL,
    window_end        TIMESTAMPTZ   NOT NULL,
    currency          CHAR(3)       NOT NULL,
    revenue           NUMERIC(18,2) NOT NULL,   -- sum of payment_success amounts
    orders_created    BIGINT        NOT NULL,
    payments_initiated BIGINT       NOT NULL,
    payment_success   BIGINT        NOT NULL,
    payment_failed    BIGINT        NOT NULL,
    orders_cancelled  BIGINT        NOT NULL,
    avg_order_value   NUMERIC(15,2),            -- revenue / payment_success; NULL without payments
    success_rate      NUMERIC(5,2),             -- payment_success / (success + failed) x 100; NULL without payments
    updated_at        TIMESTAMPTZ   NOT NULL,
    PRIMARY KEY (window_start, currency)
);

-- Events that arrived after their window's allowed lateness: kept, with how late they were.
CREATE TABLE late_events (
    id               BIGSERIAL    PRIMARY KEY,
    event_id         VARCHAR(50)  NOT NULL UNIQUE,
    event_time       TIMESTAMPTZ  NOT NULL,
    currency         CHAR(3)      NOT NULL,
    window_start     TIMESTAMPTZ  NOT NULL,     -- the window it belonged to
    watermark        TIMESTAMPTZ  NOT NULL,     -- event-time progress when it arrived
    late_by_ms       BIGINT       NOT NULL,     -- watermark - event_time
    payload          TEXT         NOT NULL,     -- the clean event as JSON
    kafka_topic      VARCHAR(255) NOT NULL,
    kafka_partition  INT          NOT NULL,
    kafka_offset     BIGINT       NOT NULL,
    seen_at          TIMESTAMPTZ  NOT NULL
);

-- Rolling KPIs per currency over the last 15 minutes, hour and day of windows.
CREATE FUNCTION kpi_since(p_since TIMESTAMPTZ)
RETURNS TABLE (currency CHAR(3), revenue NUMERIC, orders_created BIGINT, payment_success BIGINT,
               payment_failed BIGINT, orders_cancelled BIGINT, avg_order_value NUMERIC, success_rate NUMERIC)
LANGUAGE sql STABLE AS $$
    SELECT k.currency,
           sum(k.revenue),
           sum(k.orders_created)::BIGINT,
           sum(k.payment_success)::BIGINT,
           sum(k.payment_failed)::BIGINT,
           sum(k.orders_cancelled)::BIGINT,
           round(sum(k.revenue) / NULLIF(sum(k.payment_success), 0), 2),
           round(100.0 * sum(k.payment_success) / NULLIF(sum(k.payment_success) + sum(k.payment_failed), 0), 2)
    FROM kpi_1m k
    WHERE k.window_start >= p_since
    GROUP BY k.currency
$$;

CREATE VIEW v_kpi_15m AS SELECT * FROM kpi_since(now() - interval '15 minutes');
CREATE VIEW v_kpi_1h  AS SELECT * FROM kpi_since(now() - interval '1 hour');
CREATE VIEW v_kpi_24h AS SELECT * FROM kpi_since(now() - interval '24 hours');
