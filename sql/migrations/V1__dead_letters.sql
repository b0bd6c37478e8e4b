-- Every record a job could not turn into a valid event lands here, never silently dropped.
-- One row per bad Kafka record, traceable to its exact source coordinates.
CREATE TABLE dead_letters (
    id              BIGSERIAL    PRIMARY KEY,
    job_name        VARCHAR(64)  NOT NULL,
    kafka_topic     VARCHAR(255) NOT NULL,
    kafka_partition INT          NOT NULL,
    kafka_offset    BIGINT       NOT NULL,
    -- the payload as text for people (invalid UTF-8 shown as U+FFFD, NUL removed) ...
    raw_text        TEXT,
    -- ... and the exact bytes for machines: nothing is lost even when the record is not UTF-8
    raw_bytes       BYTEA,
    error_code      VARCHAR(64)  NOT NULL,
    reason          TEXT         NOT NULL,
    -- Kafka record timestamp, when the producer/broker set one
    kafka_timestamp TIMESTAMPTZ,
    -- when the job saw the record
    seen_at         TIMESTAMPTZ  NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
    -- a record is dead-lettered once per job: replays after a restore cannot double it
    CONSTRAINT dead_letters_source_uq UNIQUE (job_name, kafka_topic, kafka_partition, kafka_offset)
);

CREATE INDEX dead_letters_seen_at_idx ON dead_letters (seen_at DESC);
CREATE INDEX dead_letters_job_code_idx ON dead_letters (job_name, error_code);

COMMENT ON TABLE dead_letters IS
    'Records a job rejected (not JSON, missing field, wrong type, out of range...), with their Kafka coordinates and raw bytes.';
