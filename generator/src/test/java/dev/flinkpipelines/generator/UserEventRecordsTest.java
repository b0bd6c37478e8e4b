package dev.flinkpipelines.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.flinkpipelines.common.events.UserEvent;
import dev.flinkpipelines.common.kafka.ParsingDeserializationSchema;
import dev.flinkpipelines.common.parse.UserEventParser;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class UserEventRecordsTest {

    private static final long NOW = 1_764_000_000_000L;
    private final ParsingDeserializationSchema<UserEvent> parser =
            new ParsingDeserializationSchema<>(
                    new UserEventParser(), TypeInformation.of(UserEvent.class));

    @Test
    void kindsAppearAtTheirFractionsAndOnlyInvalidRecordsFailTheParser() {
        UserEventRecords records =
                new UserEventRecords(42, new TrafficSource.Fractions(0.05, 0.05, 0.05, 0.05));
        Map<TrafficSource.Kind, Integer> counts = new EnumMap<>(TrafficSource.Kind.class);
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            TrafficSource.Generated g = records.next(NOW);
            counts.merge(g.kind(), 1, Integer::sum);
            boolean valid =
                    parser.parse(new ConsumerRecord<>("user-events", 0, i, null, g.value()))
                            .isRight();
            assertEquals(
                    g.kind() != TrafficSource.Kind.INVALID,
                    valid,
                    () -> g.kind() + ": " + new String(g.value()));
            if (valid && g.kind() == TrafficSource.Kind.LATE) {
                long ts =
                        parser.parse(new ConsumerRecord<>("user-events", 0, i, null, g.value()))
                                .right()
                                .timestampMillis();
                assertTrue(
                        NOW - ts >= 120_000, "late events are beyond the default allowed lateness");
            }
        }
        for (TrafficSource.Kind kind :
                new TrafficSource.Kind[] {
                    TrafficSource.Kind.INVALID,
                    TrafficSource.Kind.DUPLICATE,
                    TrafficSource.Kind.OUT_OF_ORDER,
                    TrafficSource.Kind.LATE
                }) {
            int count = counts.getOrDefault(kind, 0);
            assertTrue(
                    count > 0.04 * n && count < 0.06 * n,
                    () -> kind + " appeared " + count + " times in " + n);
        }
    }

    @Test
    void sameSeedSameTraffic() {
        UserEventRecords a =
                new UserEventRecords(7, new TrafficSource.Fractions(0.01, 0.01, 0.01, 0.01));
        UserEventRecords b =
                new UserEventRecords(7, new TrafficSource.Fractions(0.01, 0.01, 0.01, 0.01));
        for (int i = 0; i < 1000; i++) {
            assertEquals(new String(a.next(NOW).value()), new String(b.next(NOW).value()));
        }
    }

    @Test
    void fractionsAreChecked() {
        assertThrows(
                IllegalArgumentException.class, () -> new TrafficSource.Fractions(0.6, 0.6, 0, 0));
        assertThrows(
                IllegalArgumentException.class, () -> new TrafficSource.Fractions(-0.1, 0, 0, 0));
    }
}
