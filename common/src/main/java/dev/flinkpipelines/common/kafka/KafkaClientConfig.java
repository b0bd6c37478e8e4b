package dev.flinkpipelines.common.kafka;

import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.options.Flag;
import dev.flinkpipelines.common.secrets.Secrets;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * How every Kafka client of the project connects: the brokers, plus any Kafka client property a
 * secured or managed cluster needs ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}, ...)
 * from {@code --kafka-properties-file} and {@code --kafka-property KEY=VALUE}, the latter winning.
 * The same properties go to the job's Kafka sources, the orders job's transactional sink, the
 * preflight check's admin client and the generator.
 *
 * <p>The few properties the jobs' guarantees rest on are refused here rather than silently
 * overridden: each has its own flag, or must not change.
 *
 * <p>The file is read where the job is submitted, and its values travel in the job graph. To keep a
 * credential out of it, reference it through Kafka's own config providers, resolved where each
 * client is created ({@code config.providers=file}, then {@code
 * sasl.jaas.config=${file:/path:key}}).
 */
public record KafkaClientConfig(String bootstrapServers, Map<String, String> properties) {

    /** Properties a job sets itself, and why a user may not. */
    private static final Map<String, String> RESERVED =
            Map.of(
                    "bootstrap.servers", "give it with --bootstrap-servers",
                    "group.id", "give it with --group-id",
                    "isolation.level",
                            "the jobs read only committed records (read_committed), so an upstream job's aborted writes never count",
                    "transactional.id", "the exactly-once Kafka sink names its own transactions",
                    "enable.idempotence", "the exactly-once Kafka sink needs it on",
                    "key.serializer", "the jobs serialize their own records",
                    "value.serializer", "the jobs serialize their own records",
                    "key.deserializer", "the jobs read raw bytes and parse them themselves",
                    "value.deserializer", "the jobs read raw bytes and parse them themselves");

    public static final Flag<List<String>> PROPERTY_FLAG =
            Flag.repeated(
                    "kafka-property",
                    "KEY=VALUE",
                    "a Kafka client property for every client of the job (e.g. security.protocol=SASL_SSL); wins over the file",
                    KafkaClientConfig::checkedPair,
                    false);

    public static final Flag<Map<String, String>> PROPERTIES_FILE_FLAG =
            Flag.of(
                    "kafka-properties-file",
                    "PATH",
                    "a .properties file of Kafka client properties (security.protocol, sasl.*, ssl.*), read at submission",
                    null,
                    KafkaClientConfig::readFile,
                    true);

    public KafkaClientConfig {
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** Plain Kafka at {@code bootstrapServers}, no extra properties. */
    public static KafkaClientConfig of(String bootstrapServers) {
        return new KafkaClientConfig(bootstrapServers, Map.of());
    }

    /** From the shared flags: the file's properties, then each {@code --kafka-property}. */
    public static KafkaClientConfig from(ParsedArgs args) {
        Map<String, String> properties = new LinkedHashMap<>();
        Map<String, String> file = args.get(CommonFlags.KAFKA_PROPERTIES_FILE);
        if (file != null) {
            properties.putAll(file);
        }
        for (String pair : args.get(CommonFlags.KAFKA_PROPERTY)) {
            int eq = pair.indexOf('=');
            properties.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
        }
        return new KafkaClientConfig(args.get(CommonFlags.BOOTSTRAP_SERVERS), properties);
    }

    /**
     * Every client property, {@code bootstrap.servers} included: for admin clients, producers,
     * consumers.
     */
    public Properties clientProperties() {
        Properties all = new Properties();
        all.putAll(properties);
        all.put("bootstrap.servers", bootstrapServers);
        return all;
    }

    /** Whether the properties make the client authenticate or encrypt (for error hints). */
    public boolean secured() {
        return properties.containsKey("security.protocol")
                && !properties.get("security.protocol").equalsIgnoreCase("PLAINTEXT");
    }

    @Override
    public String toString() {
        return bootstrapServers + (properties.isEmpty() ? "" : " " + Secrets.redact(properties));
    }

    private static String checkedPair(String pair) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException(
                    "expected KEY=VALUE, e.g. security.protocol=SASL_SSL");
        }
        checkAllowed(pair.substring(0, eq).trim());
        return pair;
    }

    private static Map<String, String> readFile(String path) {
        Properties loaded = new Properties();
        try (Reader in = Files.newBufferedReader(Path.of(path), StandardCharsets.UTF_8)) {
            loaded.load(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(
                    "cannot read it (" + e.getClass().getSimpleName() + ")");
        }
        Map<String, String> properties = new LinkedHashMap<>();
        for (String name : loaded.stringPropertyNames()) {
            checkAllowed(name);
            properties.put(name, loaded.getProperty(name));
        }
        return properties;
    }

    private static void checkAllowed(String name) {
        String why = RESERVED.get(name);
        if (why != null) {
            throw new IllegalArgumentException(name + " cannot be set here: " + why);
        }
    }
}
