-- SPEC §1: movie platform engagement, written by the user-events job.

-- One row per valid Kafka record of the user-events topic.
CREATE TABLE user_events (
    id              BIGSERIAL    PRIMARY KEY,
    user_id         INT          NOT NULL,
    movie_id        INT          NOT NULL,
    event_type      VARCHAR(50)  NOT NULL,      -- lower case
    event_timestamp TIMESTAMPTZ  NOT NULL,      -- from the payload (event time)
    processed_at    TIMESTAMPTZ  NOT NULL,      -- when the job handled the record
    created_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),  -- when the row was committed
    kafka_partition INT          NOT NULL,
    kafka_offset    BIGINT       NOT NULL,
    -- the source coordinates identify the record: a replay can never store it twice
    CONSTRAINT user_events_source_uq UNIQUE (kafka_partition, kafka_offset)
);

CREATE INDEX user_events_user_id_idx         ON user_events (user_id);
CREATE INDEX user_events_movie_id_idx        ON user_events (movie_id);
CREATE INDEX user_events_event_type_idx      ON user_events (event_type);
CREATE INDEX user_events_event_timestamp_idx ON user_events (event_timestamp);
CREATE INDEX user_events_user_movie_idx      ON user_events (user_id, movie_id);
CREATE INDEX user_events_user_type_idx       ON user_events (user_id, event_type);

-- Per movie, per 1-minute event-time window, how many events of each type.
-- Upserted: a late event within the allowed lateness updates its window's row in place.
CREATE TABLE movie_activity_1m (
    window_start TIMESTAMPTZ NOT NULL,
    window_end   TIMESTAMPTZ NOT NULL,
    movie_id     INT         NOT NULL,
    event_type   VARCHAR(50) NOT NULL,
    event_count  BIGINT      NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (window_start, movie_id, event_type)
);

CREATE INDEX movie_activity_1m_movie_idx ON movie_activity_1m (movie_id, window_start DESC);

-- Per event type: total events, distinct users, distinct movies.
CREATE VIEW user_events_stats AS
SELECT event_type,
       count(*)                 AS total_events,
       count(DISTINCT user_id)  AS unique_users,
       count(DISTINCT movie_id) AS unique_movies
FROM user_events
GROUP BY event_type;

-- The most recent events by event time.
CREATE FUNCTION get_recent_events(p_limit INT DEFAULT 10)
RETURNS SETOF user_events
LANGUAGE sql STABLE AS $$
    SELECT * FROM user_events ORDER BY event_timestamp DESC, id DESC LIMIT p_limit
$$;

-- One user's most recent events by event time.
CREATE FUNCTION get_user_events(p_user_id INT, p_limit INT DEFAULT 10)
RETURNS SETOF user_events
LANGUAGE sql STABLE AS $$
    SELECT * FROM user_events WHERE user_id = p_user_id ORDER BY event_timestamp DESC, id DESC LIMIT p_limit
$$;
