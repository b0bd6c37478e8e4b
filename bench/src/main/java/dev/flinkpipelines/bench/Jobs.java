package dev.flinkpipelines.bench;

import dev.flinkpipelines.common.options.StreamingJob;
import dev.flinkpipelines.jobs.drinkshop.DrinkShopJob;
import dev.flinkpipelines.jobs.kpi.KpiJob;
import dev.flinkpipelines.jobs.orders.OrdersJob;
import dev.flinkpipelines.jobs.userevents.UserEventsJob;
import dev.flinkpipelines.jobs.videoviews.VideoViewsJob;
import java.util.List;

/** Every job the bench knows. */
final class Jobs {

    static final List<StreamingJob> ALL =
            List.of(
                    UserEventsJob.JOB,
                    OrdersJob.JOB,
                    KpiJob.JOB,
                    DrinkShopJob.JOB,
                    VideoViewsJob.JOB);

    private Jobs() {}

    static StreamingJob byName(String name) {
        return ALL.stream()
                .filter(j -> j.name().equals(name))
                .findFirst()
                .orElseThrow(
                        () ->
                                new IllegalArgumentException(
                                        "unknown job '"
                                                + name
                                                + "' (expected one of "
                                                + ALL.stream().map(StreamingJob::name).toList()
                                                + ")"));
    }
}
