package dev.flinkpipelines.jobs.userevents;

import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.postgres.TableRow;
import java.time.Instant;
import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * movie_activity_1m: events per (movie, event type) per 1-minute event-time window. Counting is
 * incremental (one long per key and window, not the events); each firing — on time, or again for a
 * late event within the allowed lateness — emits the window's full count, which the sink upserts,
 * so the row always holds the current total.
 */
final class MovieActivityWindow {

    private MovieActivityWindow() {}

    /** Key: (movie_id, event_type). */
    static Tuple2<Integer, String> key(UserEvent e) {
        return Tuple2.of(e.movieId(), e.eventType());
    }

    /** Counts the events of one key and window. */
    static final class Count implements AggregateFunction<UserEvent, Long, Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long createAccumulator() {
            return 0L;
        }

        @Override
        public Long add(UserEvent event, Long count) {
            return count + 1;
        }

        @Override
        public Long getResult(Long count) {
            return count;
        }

        @Override
        public Long merge(Long a, Long b) {
            return a + b;
        }
    }

    /** Turns a window's count into its movie_activity_1m row. */
    static final class ToRow
            extends ProcessWindowFunction<Long, TableRow, Tuple2<Integer, String>, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                Tuple2<Integer, String> key,
                Context context,
                Iterable<Long> counts,
                Collector<TableRow> out) {
            long count = counts.iterator().next();
            TimeWindow window = context.window();
            out.collect(
                    UserEventRows.movieActivity(
                            window.getStart(),
                            window.getEnd(),
                            key.f0,
                            key.f1,
                            count,
                            Instant.now()));
        }
    }
}
