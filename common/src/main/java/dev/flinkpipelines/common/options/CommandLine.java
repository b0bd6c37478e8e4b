package dev.flinkpipelines.common.options;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A command's flags, its {@code --help} text, and parsing into {@link ParsedArgs} — on picocli.
 *
 * <p>picocli does the parsing: {@code --name value} and {@code --name=value}, {@code --} alone
 * ending the flags, a value that starts with {@code --} (when it is not a flag of the command), a
 * flag given twice refused, {@code @file} arguments read from a file (one argument per line: a way
 * to keep secrets and long flag lists out of {@code ps} and shell history), and "did you mean"
 * suggestions. Each {@link Flag} reads its own values (durations with Flink's {@code TimeUtils}),
 * so an error names the flag and what was expected in one line — and never echoes a secret.
 */
public final class CommandLine {

    private final String command;
    private final String summary;
    private final Map<String, Flag<?>> flags = new LinkedHashMap<>();

    public CommandLine(String command, String summary) {
        this.command = command;
        this.summary = summary;
    }

    public CommandLine add(Flag<?>... added) {
        for (Flag<?> flag : added) {
            if (flag.name().equals("help") || flags.putIfAbsent(flag.name(), flag) != null) {
                throw new IllegalArgumentException("flag --" + flag.name() + " defined twice");
            }
        }
        return this;
    }

    /**
     * picocli's model of this command: every flag as an option whose values stay text until {@link
     * Flag#read}.
     */
    private picocli.CommandLine picocli() {
        return picocli("=");
    }

    /**
     * {@code separator} is what picocli splits {@code --name=value} at when parsing; help is
     * rendered with a space instead, the form the README and Flink's own docs show.
     */
    private picocli.CommandLine picocli(String separator) {
        CommandSpec spec = CommandSpec.create().name(command);
        spec.usageMessage()
                .customSynopsis(command + " [flags]")
                .description(summary)
                .optionListHeading("%nFlags:%n")
                .sortOptions(false)
                .width(110)
                .longOptionsMaxWidth(34);
        for (Flag<?> flag : flags.values()) {
            spec.addOption(option(flag));
        }
        spec.addOption(
                OptionSpec.builder("--help", "-h")
                        .usageHelp(true)
                        .description("print this help and exit")
                        .build());
        // picocli's own fallbacks off: every value is read by its Flag, and nothing comes from the
        // environment
        spec.parser()
                .overwrittenOptionsAllowed(false)
                .abbreviatedOptionsAllowed(false)
                .expandAtFiles(true)
                .separator(separator);
        return new picocli.CommandLine(spec);
    }

    private static OptionSpec option(Flag<?> flag) {
        OptionSpec.Builder option = OptionSpec.builder("--" + flag.name());
        String description = flag.description();
        switch (flag.kind()) {
            case SWITCH:
                option.arity("0").type(boolean.class);
                break;
            case REPEATED:
                option.arity("1")
                        .type(List.class)
                        .auxiliaryTypes(String.class)
                        .paramLabel(flag.valueHint());
                description += " (repeatable)";
                break;
            default:
                option.arity("1").type(String.class).paramLabel(flag.valueHint());
                if (flag.defaultValue() != null && !flag.isSecret()) {
                    description += " (default: " + Flag.render(flag.defaultValue()) + ")";
                }
        }
        // picocli formats descriptions with String.format: a literal % must not be read as a format
        return option.description(description.replace("%", "%%")).build();
    }

    /** Parses {@code args}; a malformed command line is one {@link UsageException} line. */
    public ParsedArgs parse(String... args) throws UsageException {
        for (String arg : args) {
            if (arg.equals("--")) {
                break;
            }
            int equals = arg.indexOf('=');
            Flag<?> flag =
                    equals > 2 && arg.startsWith("--") ? flags.get(arg.substring(2, equals)) : null;
            if (flag != null && flag.kind() == Flag.Kind.SWITCH) {
                // the value is not quoted: it could be anything, a password included
                throw new UsageException(
                        "--" + flag.name() + " takes no value (give it alone to turn it on)");
            }
        }
        picocli.CommandLine cli = picocli();
        ParseResult result;
        try {
            result = cli.parseArgs(args);
        } catch (UnmatchedArgumentException e) {
            throw new UsageException(unmatched(e, args));
        } catch (MissingParameterException e) {
            // picocli names the option in getArgSpec() or, for a flag at the very end, in
            // getMissing()
            OptionSpec option =
                    e.getArgSpec() instanceof OptionSpec spec
                            ? spec
                            : e.getMissing() != null
                                            && !e.getMissing().isEmpty()
                                            && e.getMissing().get(0) instanceof OptionSpec first
                                    ? first
                                    : null;
            if (option == null) {
                throw new UsageException("a flag is missing its value");
            }
            throw new UsageException(
                    option.longestName() + " needs a value (" + option.paramLabel() + ")");
        } catch (OverwrittenOptionException e) {
            throw new UsageException(
                    ((OptionSpec) e.getOverwritten()).longestName() + " given twice");
        } catch (ParameterException e) {
            // e.g. a value for a switch (--bounded=yes), or an unreadable @file
            throw new UsageException(e.getMessage());
        }
        Map<String, Object> values = new HashMap<>();
        for (Flag<?> flag : flags.values()) {
            OptionSpec option = result.matchedOption("--" + flag.name());
            if (option == null) {
                continue;
            }
            switch (flag.kind()) {
                case SWITCH:
                    values.put(flag.name(), Boolean.TRUE);
                    break;
                case REPEATED:
                    List<Object> read = new ArrayList<>();
                    for (String raw : option.<List<String>>getValue()) {
                        read.add(flag.read(raw));
                    }
                    values.put(flag.name(), List.copyOf(read));
                    break;
                default:
                    values.put(flag.name(), flag.read(option.getValue()));
            }
        }
        return new ParsedArgs(values, result.isUsageHelpRequested());
    }

    /**
     * An unknown flag with picocli's closest known one; an argument that is no flag at all is not
     * quoted: after a misspelled flag it is that flag's value, and that value may be a password.
     */
    private static String unmatched(UnmatchedArgumentException e, String[] args) {
        List<String> unmatched = e.getUnmatched();
        String first = unmatched.isEmpty() ? "" : unmatched.get(0);
        // after "--" alone nothing is a flag, however it looks
        int endOfFlags = List.of(args).indexOf("--");
        boolean afterEndOfFlags =
                endOfFlags >= 0
                        && List.of(args).subList(endOfFlags + 1, args.length).contains(first);
        if (e.isUnknownOption() && first.startsWith("-") && !afterEndOfFlags) {
            String name = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
            List<String> suggestions = e.getSuggestions();
            return "unknown flag "
                    + name
                    + (suggestions.isEmpty() ? "" : " (did you mean " + suggestions.get(0) + "?)");
        }
        return "unexpected argument (not a flag; flags start with --, and a flag's value follows it)";
    }

    /**
     * What a command's {@code main} does with its arguments first: the flags to run with, or —
     * after printing {@code --help} (exit 0) or a one-line usage error (exit 2) — the exit code
     * instead.
     */
    public Invocation invoke(String[] argv, PrintStream out, PrintStream err) {
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

    /** The {@code --help} text. */
    public String usage() {
        return picocli(" ").getUsageMessage(picocli.CommandLine.Help.Ansi.OFF);
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
            return values.containsKey(flag.name())
                    ? (T) values.get(flag.name())
                    : flag.defaultValue();
        }
    }
}
