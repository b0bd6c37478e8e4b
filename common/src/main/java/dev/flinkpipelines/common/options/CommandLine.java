package dev.flinkpipelines.common.options;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The flags a command accepts, its usage text, and parsing into {@link ParsedArgs}. */
public final class CommandLine {

    public static final Flag<Boolean> HELP = Flag.enabledBy("help", "print this help and exit");

    private final String command;
    private final String summary;
    private final Map<String, Flag<?>> flags = new LinkedHashMap<>();

    public CommandLine(String command, String summary) {
        this.command = command;
        this.summary = summary;
    }

    public CommandLine add(Flag<?>... added) {
        for (Flag<?> flag : added) {
            if (flags.putIfAbsent(flag.name(), flag) != null) {
                throw new IllegalArgumentException("flag --" + flag.name() + " defined twice");
            }
        }
        return this;
    }

    /** Accepts {@code --name value} and {@code --name=value}; switches take no value. */
    public ParsedArgs parse(String... args) throws UsageException {
        Map<String, Object> values = new HashMap<>();
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "' (flags start with --)");
            }
            String name = arg.substring(2);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            Flag<?> flag = flags.get(name);
            if (flag == null) {
                throw new UsageException("unknown flag --" + name + suggestion(name));
            }
            if (values.containsKey(name)) {
                throw new UsageException("--" + name + " given twice");
            }
            if (flag.isSwitch()) {
                if (inline != null) {
                    throw new UsageException("--" + name + " takes no value");
                }
                values.put(name, Boolean.TRUE);
                continue;
            }
            String raw = inline;
            if (raw == null) {
                if (i + 1 >= args.length || (args[i + 1].startsWith("--") && !args[i + 1].equals("--"))) {
                    throw new UsageException("--" + name + " needs a value (" + flag.valueHint() + ")");
                }
                raw = args[++i];
            }
            values.put(name, flag.read(raw));
        }
        return new ParsedArgs(values, help);
    }

    private String suggestion(String name) {
        for (String known : flags.keySet()) {
            if (known.contains(name) || name.contains(known) || distance(known, name) <= 2) {
                return " (did you mean --" + known + "?)";
            }
        }
        return "";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1], prev[j]) + 1, prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            prev = cur;
        }
        return prev[b.length()];
    }

    /**
     * What a command's {@code main} does with its arguments first: the flags to run with, or — after
     * printing {@code --help} (exit 0) or a one-line usage error (exit 2) — the exit code instead.
     */
    public Invocation invoke(String[] argv, java.io.PrintStream out, java.io.PrintStream err) {
        try {
            ParsedArgs args = parse(argv);
            if (args.helpRequested()) {
                out.print(usage());
                return new Invocation(null, 0);
            }
            return new Invocation(args, 0);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            err.println("Run with --help to see every flag.");
            return new Invocation(null, 2);
        }
    }

    /** {@link #invoke}'s outcome: {@code args} to run with, or null and the code to exit with. */
    public record Invocation(ParsedArgs args, int exitCode) {
        public boolean shouldRun() {
            return args != null;
        }
    }

    public String usage() {
        StringBuilder out = new StringBuilder();
        out.append("Usage: ").append(command).append(" [flags]\n\n").append(summary).append("\n\nFlags:\n");
        List<Flag<?>> all = new ArrayList<>(flags.values());
        all.add(HELP);
        for (Flag<?> flag : all) {
            String left = "  --" + flag.name() + (flag.isSwitch() ? "" : " " + flag.valueHint());
            out.append(left);
            out.append(" ".repeat(Math.max(2, 38 - left.length())));
            out.append(flag.description());
            Object def = flag.defaultValue();
            if (!flag.isSwitch() && def != null) {
                out.append(" (default: ").append(render(def)).append(')');
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static String render(Object value) {
        if (value instanceof java.time.Duration) {
            java.time.Duration d = (java.time.Duration) value;
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
        if (value instanceof Enum) {
            return ((Enum<?>) value).name().toLowerCase(java.util.Locale.ROOT);
        }
        return String.valueOf(value);
    }

    /** Flag values after parsing: what was given, or the flag's default. */
    public static final class ParsedArgs {
        private final Map<String, Object> values;
        private final boolean help;

        private ParsedArgs(Map<String, Object> values, boolean help) {
            this.values = values;
            this.help = help;
        }

        public boolean helpRequested() {
            return help;
        }

        @SuppressWarnings("unchecked")
        public <T> T get(Flag<T> flag) {
            return values.containsKey(flag.name()) ? (T) values.get(flag.name()) : flag.defaultValue();
        }

        public boolean isSet(Flag<?> flag) {
            return values.containsKey(flag.name());
        }
    }
}
