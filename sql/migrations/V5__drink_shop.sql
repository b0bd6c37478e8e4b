-- SPEC §4: a small drinks business, written by the drink-shop job.

-- Each order line with the menu version valid at the order's time (event-time temporal join).
CREATE TABLE order_items_enriched (
    order_id             VARCHAR(50)   NOT NULL,
    line_no              INT           NOT NULL,
    user_id              VARCHAR(50)   NOT NULL,
    menu_id              VARCHAR(50)   NOT NULL,
    name                 VARCHAR(100),               -- NULL unless menu_status = 'ok'
    category             VARCHAR(50),
    qty                  INT           NOT NULL,
    unit_price           NUMERIC(15,2) NOT NULL,     -- the price the order carried
    line_total           NUMERIC(17,2) NOT NULL,     -- qty x unit_price
    menu_price           NUMERIC(15,2),              -- the menu's price at that time
    menu_status          VARCHAR(10)   NOT NULL,     -- ok | unknown (no menu entry then) | deleted
    price_mismatch       BOOLEAN       NOT NULL,     -- unit_price <> menu_price
    order_total_mismatch BOOLEAN       NOT NULL,     -- the order's total <> sum of its lines
    created_at           TIMESTAMPTZ   NOT NULL,
    kafka_partition      INT           NOT NULL,
    kafka_offset         BIGINT        NOT NULL,
    PRIMARY KEY (order_id, line_no)
);
CREATE INDEX order_items_enriched_created_idx ON order_items_enriched (created_at DESC);
CREATE INDEX order_items_enriched_menu_idx ON order_items_enriched (menu_id, created_at DESC);

-- Per item, per 1-minute event-time window.
CREATE TABLE item_sales_1m (
    window_start TIMESTAMPTZ   NOT NULL,
    window_end   TIMESTAMPTZ   NOT NULL,
    menu_id      VARCHAR(50)   NOT NULL,
    qty          BIGINT        NOT NULL,
    revenue      NUMERIC(18,2) NOT NULL,
    updated_at   TIMESTAMPTZ   NOT NULL,
    PRIMARY KEY (window_start, menu_id)
);

-- Current stock per item: inventory events plus sales from orders.
CREATE TABLE inventory_levels (
    menu_id    VARCHAR(50) PRIMARY KEY,
    stock      BIGINT      NOT NULL,
    as_of      TIMESTAMPTZ NOT NULL,   -- event time of the last change applied
    updated_at TIMESTAMPTZ NOT NULL
);

-- One row each time an item's stock crosses below the threshold.
CREATE TABLE inventory_alerts (
    menu_id      VARCHAR(50) NOT NULL,
    alert_no     INT         NOT NULL,  -- 1, 2, ... per item
    stock        BIGINT      NOT NULL,  -- stock right after the crossing
    threshold    BIGINT      NOT NULL,
    event_time   TIMESTAMPTZ NOT NULL,
    triggered_by TEXT        NOT NULL,  -- the change that crossed it
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (menu_id, alert_no)
);

-- The latest known name of each item.
CREATE VIEW v_menu_names AS
SELECT DISTINCT ON (menu_id) menu_id, name, category
FROM order_items_enriched
WHERE name IS NOT NULL
ORDER BY menu_id, created_at DESC;

CREATE FUNCTION top_items_since(p_since TIMESTAMPTZ)
RETURNS TABLE (menu_id VARCHAR, name VARCHAR, qty BIGINT, revenue NUMERIC)
LANGUAGE sql STABLE AS $$
    SELECT s.menu_id, n.name, sum(s.qty)::BIGINT, sum(s.revenue)
    FROM item_sales_1m s LEFT JOIN v_menu_names n USING (menu_id)
    WHERE s.window_start >= p_since
    GROUP BY s.menu_id, n.name
    ORDER BY sum(s.qty) DESC, s.menu_id
    LIMIT 10
$$;

CREATE VIEW v_top_items_5m  AS SELECT * FROM top_items_since(now() - interval '5 minutes');
CREATE VIEW v_top_items_60m AS SELECT * FROM top_items_since(now() - interval '60 minutes');

CREATE VIEW v_sales_per_hour AS
SELECT date_trunc('hour', window_start) AS hour, sum(qty) AS qty, sum(revenue) AS revenue
FROM item_sales_1m
GROUP BY 1;

-- Average order value per hour: the sum of an order's lines, averaged over the hour's orders.
CREATE VIEW v_avg_order_value AS
SELECT date_trunc('hour', created_at) AS hour, count(*) AS orders, round(avg(order_value), 2) AS avg_order_value
FROM (SELECT order_id, min(created_at) AS created_at, sum(line_total) AS order_value
      FROM order_items_enriched GROUP BY order_id) o
GROUP BY 1;
