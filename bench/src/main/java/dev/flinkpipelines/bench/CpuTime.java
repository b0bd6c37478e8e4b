package dev.flinkpipelines.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU seconds spent by PostgreSQL and by this JVM (which hosts the Kafka broker), read before and
 * after a run: where the machine's two cores went. PostgreSQL's is every live {@code postgres}
 * process's user + system time plus what the postmaster collected from backends that exited.
 */
final class CpuTime {

    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private CpuTime() {}

    /** CPU seconds of this JVM so far. */
    static double thisJvm() {
        java.lang.management.OperatingSystemMXBean os =
                ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun
                ? sun.getProcessCpuTime() / 1e9
                : 0;
    }

    /**
     * CPU seconds of every PostgreSQL process so far, exited backends included; 0 where /proc is
     * missing.
     */
    static double postgres() {
        double ticks = 0;
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                if (!dir.getFileName().toString().matches("\\d+")) {
                    continue;
                }
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(stat.indexOf('(') + 1, close);
                    if (!comm.equals("postgres")) {
                        continue;
                    }
                    String[] f = stat.substring(close + 2).split(" ");
                    // fields after "(comm) ": state=0 ppid=1 ... utime=11 stime=12 cutime=13
                    // cstime=14
                    ticks +=
                            Long.parseLong(f[11])
                                    + Long.parseLong(f[12])
                                    + Long.parseLong(f[13])
                                    + Long.parseLong(f[14]);
                } catch (Exception gone) {
                    // the process ended meanwhile
                }
            }
        } catch (Exception e) {
            return 0;
        }
        return ticks / TICKS_PER_SECOND;
    }
}
