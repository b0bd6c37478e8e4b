package dev.flinkpipelines.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The first task failure a run's log reports: the line that says FAILED and the exception after it.
 */
final class FirstFailure {

    private FirstFailure() {}

    static String in(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.contains(" to FAILED")
                        || line.contains("switched from RUNNING to FAILING")) {
                    for (int j = i; j < Math.min(lines.size(), i + 5); j++) {
                        String l = lines.get(j).strip();
                        if (l.matches("^[a-zA-Z_$.]+(Exception|Error)(: .*)?$")) {
                            return l;
                        }
                    }
                    return line.strip();
                }
            }
            return "";
        } catch (Exception e) {
            return "";
        }
    }
}
