package dev.flinkpipelines.e2e;

import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Recomputes a fault run's expectation from the snapshot it left ({@code
 * target/fault-run/<name>/snapshot.ser}: the input records and the rows read from PostgreSQL) and
 * prints every difference — for working on {@link Expectation} without running the cluster again.
 */
public final class ReVerify {

    private ReVerify() {}

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws Exception {
        try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(args[0])))) {
            Map<String, List<InputRecord>> inputs =
                    (Map<String, List<InputRecord>>) in.readObject();
            List<InputRecord> eventsClean = (List<InputRecord>) in.readObject();
            Map<String, Map<String, List<String>>> actual =
                    (Map<String, Map<String, List<String>>>) in.readObject();
            for (TableCheck check : new Expectation(FaultRun.TOPICS, inputs).checks(eventsClean)) {
                if (check.hasQuery()) {
                    if (!actual.containsKey(check.name)) {
                        System.out.println(check.name + ": no rows in the snapshot");
                        continue;
                    }
                    check.setActual(actual.get(check.name));
                }
                System.out.println(
                        check.diff().describe(args.length > 1 ? Integer.parseInt(args[1]) : 10));
            }
        }
    }
}
