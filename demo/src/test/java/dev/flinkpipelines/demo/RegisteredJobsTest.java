package dev.flinkpipelines.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.flinkpipelines.common.options.RegisteredJob;
import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.jobs.orders.OrdersJob;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every job module lists its job; the demo and the benchmark find them all, and only them. */
class RegisteredJobsTest {

    @Test
    void everyJobIsRegisteredOnce() {
        assertEquals(
                List.of("drink-shop", "kpi", "orders", "user-events", "video-views"),
                RegisteredJob.all().stream().map(StreamingJob::name).toList());
        assertEquals(
                RegisteredJob.all().stream().map(StreamingJob::name).toList(),
                Demo.JOBS.stream().map(StreamingJob::name).toList());
    }

    @Test
    void aJobIsFoundByNameAndAnUnknownNameSaysWhichExist() {
        assertSame(OrdersJob.JOB, RegisteredJob.named("orders"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RegisteredJob.named("order"));
        assertEquals(
                "unknown job 'order' (expected one of"
                        + " [drink-shop, kpi, orders, user-events, video-views])",
                e.getMessage());
    }
}
