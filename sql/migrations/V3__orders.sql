-- SPEC §2: order/payment events after validation and deduplication, written by the orders job.
CREATE TABLE events_clean (
    id              VARCHAR(50)   PRIMARY KEY,           -- the event id: a replay cannot store it twice
    event_time      TIMESTAMPTZ   NOT NULL,
    event_type      VARCHAR(32)   NOT NULL,              -- order_created, payment_initiated, payment_success, payment_failed, order_cancelled
    order_id        VARCHAR(50)   NOT NULL,
    user_id         VARCHAR(50)   NOT NULL,
    amount          NUMERIC(15,2) NOT NULL CHECK (amount >= 0),
    currency        CHAR(3)       NOT NULL,              -- VND, USD
    status          VARCHAR(16)   NOT NULL,              -- success, failed, pending
    kafka_partition INT           NOT NULL,
    kafka_offset    BIGINT        NOT NULL,
    ingest_time     TIMESTAMPTZ   NOT NULL DEFAULT now()
);

CREATE INDEX events_clean_event_time_idx ON events_clean (event_time DESC);
CREATE INDEX events_clean_event_type_idx ON events_clean (event_type);
CREATE INDEX events_clean_order_id_idx   ON events_clean (order_id);

-- The orders job's rejected records. They are stored once, in dead_letters (the rule for every
-- job); this view gives them the name the original design used.
CREATE VIEW invalid_events AS
SELECT id, kafka_topic, kafka_partition, kafka_offset, raw_text AS raw_payload, raw_bytes,
       error_code, reason, kafka_timestamp, seen_at
FROM dead_letters
WHERE job_name = 'orders';
