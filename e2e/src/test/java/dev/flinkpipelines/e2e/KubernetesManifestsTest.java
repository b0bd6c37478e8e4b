package dev.flinkpipelines.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flinkpipelines.common.kafka.KafkaClientConfig;
import dev.flinkpipelines.common.options.CommandLine;
import dev.flinkpipelines.common.options.CommandLine.ParsedArgs;
import dev.flinkpipelines.common.options.CommonFlags;
import dev.flinkpipelines.common.secrets.Secrets;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigData;
import org.apache.kafka.common.config.provider.FileConfigProvider;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of k8s/ without a Kubernetes cluster, and without the Flink Kubernetes
 * Operator's CRD schema or API classes (neither is available to this build): what is ours.
 *
 * <ul>
 *   <li>every file parses as YAML, each document a Kubernetes object (apiVersion, kind,
 *       metadata.name), names unique per kind; kustomization.yaml lists exactly the files that are
 *       not examples;
 *   <li>the FlinkDeployment runs this Flink version's Java 17 image, and its flinkConfiguration is
 *       flink-conf/config.yaml key by key, except the keys session-cluster.yaml says differ on
 *       Kubernetes (checked to have their Kubernetes values: S3 directories, jar upload, the
 *       process memory from the resource specs, addresses left to the operator);
 *   <li>one FlinkSessionJob per job module, on that cluster, upgraded with savepoints, its jar this
 *       version's, its args parsed by the job's own command line: no password flag, and every file
 *       they name (password, Kafka properties, the database's CA) a key of a Secret or ConfigMap
 *       mounted into Flink's container;
 *   <li>kafka-client.yaml's properties are accepted by the jobs ({@link KafkaClientConfig}), known
 *       to Kafka's clients, and hold no credential: sasl.jaas.config is a {@code ${file:...}}
 *       reference that Kafka's FileConfigProvider resolves from a mounted Secret;
 *   <li>secrets.example.yaml holds only REPLACE-ME placeholders, and defines every Secret the
 *       cluster uses; the service account, RBAC and network policies fit the cluster.
 * </ul>
 */
class KubernetesManifestsTest {

    private static final Path ROOT = DeploymentFilesTest.ROOT;
    private static final Path K8S = ROOT.resolve("k8s");
    private static final Map<String, CommandLine> JOBS = DeploymentFilesTest.jobCommandLines();
    private static final String PLACEHOLDER = "REPLACE-ME";

    /**
     * The container of JobManager and TaskManager pods that runs Flink, as the operator names it.
     */
    private static final String FLINK_CONTAINER = "flink-main-container";

    /**
     * config.yaml keys the operator and Flink's native Kubernetes mode set: absent from
     * flinkConfiguration.
     */
    private static final Set<String> SET_BY_KUBERNETES =
            Set.of(
                    "jobmanager.rpc.address",
                    "jobmanager.rpc.port",
                    "jobmanager.bind-host",
                    "taskmanager.bind-host",
                    "rest.bind-address");

    /**
     * config.yaml keys the operator sets from the FlinkDeployment's resource specs: key -> that
     * spec's memory.
     */
    private static final Map<String, String> FROM_RESOURCE_SPECS =
            Map.of(
                    "jobmanager.memory.process.size", "/spec/jobManager/resource/memory",
                    "taskmanager.memory.process.size", "/spec/taskManager/resource/memory");

    /**
     * config.yaml keys with another value on Kubernetes (checked in {@link
     * #theKeysThatDifferOnKubernetesHaveTheirKubernetesValues}).
     */
    private static final Set<String> DIFFERENT_ON_KUBERNETES =
            Set.of(
                    "execution.checkpointing.dir",
                    "execution.checkpointing.savepoint-dir",
                    "web.submit.enable");

    /** Every file under k8s/ (relative path, '/'-separated) -> its documents. */
    private static final Map<String, List<JsonNode>> FILES = new TreeMap<>();

    private static JsonNode deployment;
    private static String sessionClusterText;
    private static Map<String, String> flinkConfiguration;
    private static Map<String, String> flinkConf;

    @TempDir Path tmp;

    @BeforeAll
    static void load() throws IOException {
        YAMLMapper yaml = new YAMLMapper();
        FILES.clear();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(K8S)) {
            files = walk.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
        for (Path file : files) {
            String name = K8S.relativize(file).toString().replace('\\', '/');
            try (MappingIterator<JsonNode> docs =
                    yaml.readerFor(JsonNode.class).readValues(file.toFile())) {
                FILES.put(name, docs.readAll());
            } catch (IOException | RuntimeException e) {
                throw new IOException(
                        "k8s/" + name + " does not parse as YAML: " + e.getMessage(), e);
            }
        }
        List<JsonNode> deployments = ofKind("FlinkDeployment");
        assertEquals(1, deployments.size(), "one FlinkDeployment, the session cluster");
        deployment = deployments.get(0);
        sessionClusterText =
                Files.readString(K8S.resolve("session-cluster.yaml"), StandardCharsets.UTF_8);
        flinkConfiguration = new TreeMap<>();
        flatten("", deployment.at("/spec/flinkConfiguration"), flinkConfiguration);
        flinkConf = new TreeMap<>();
        flatten("", yaml.readTree(ROOT.resolve("flink-conf/config.yaml").toFile()), flinkConf);
    }

    // ---- the files ----

    @Test
    void everyFileIsYamlOfKubernetesObjects() {
        assertTrue(
                FILES.keySet()
                        .containsAll(
                                List.of(
                                        "kustomization.yaml",
                                        "session-cluster.yaml",
                                        "secrets.example.yaml")),
                FILES.keySet().toString());
        FILES.forEach(
                (file, docs) -> {
                    assertTrue(
                            file.endsWith(".yaml"), "k8s/" + file + ": only .yaml manifests here");
                    assertFalse(docs.isEmpty(), "k8s/" + file + " is empty");
                    for (JsonNode doc : docs) {
                        assertTrue(
                                doc.isObject(),
                                "k8s/"
                                        + file
                                        + ": a document that is no object (an empty one between ---?)");
                        assertFalse(
                                doc.path("apiVersion").asText().isBlank(),
                                "k8s/" + file + ": apiVersion");
                        assertFalse(doc.path("kind").asText().isBlank(), "k8s/" + file + ": kind");
                        if (!doc.path("kind").asText().equals("Kustomization")) {
                            assertTrue(
                                    doc.at("/metadata/name")
                                            .asText()
                                            .matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?"),
                                    "k8s/"
                                            + file
                                            + ": metadata.name '"
                                            + doc.at("/metadata/name").asText()
                                            + "'");
                        }
                    }
                });
    }

    @Test
    void everyObjectHasANameOfItsOwn() {
        Set<String> seen = new TreeSet<>();
        allDocuments()
                .forEach(
                        doc -> {
                            if (doc.has("metadata")) {
                                String id =
                                        doc.path("kind").asText()
                                                + "/"
                                                + doc.at("/metadata/name").asText();
                                assertTrue(seen.add(id), id + " is defined twice");
                            }
                        });
    }

    @Test
    void kustomizationListsExactlyTheFilesThatAreNotExamples() {
        List<JsonNode> kustomization = FILES.get("kustomization.yaml");
        assertEquals(1, kustomization.size());
        assertEquals("Kustomization", kustomization.get(0).path("kind").asText());
        List<String> listed = new ArrayList<>();
        kustomization.get(0).path("resources").forEach(r -> listed.add(r.asText()));
        List<String> expected =
                FILES.keySet().stream()
                        .filter(
                                f ->
                                        !f.equals("kustomization.yaml")
                                                && !f.endsWith(".example.yaml"))
                        .sorted()
                        .collect(Collectors.toList());
        assertEquals(
                expected,
                listed.stream().sorted().collect(Collectors.toList()),
                "kustomization.yaml's resources: every manifest once, the Secrets' example never");
    }

    // ---- the session cluster ----

    @Test
    void theSessionClusterIsThisFlinkVersionOnJava17() throws IOException {
        String version = EnvironmentInformation.getVersion();
        assertEquals("flink.apache.org/v1beta1", deployment.path("apiVersion").asText());
        assertEquals(
                "flink:" + version + "-scala_2.12-java17", deployment.at("/spec/image").asText());
        String[] parts = version.split("\\.");
        assertEquals("v" + parts[0] + "_" + parts[1], deployment.at("/spec/flinkVersion").asText());
        JsonNode compose = new YAMLMapper().readTree(ROOT.resolve("docker-compose.yml").toFile());
        assertEquals(
                compose.at("/services/jobmanager/image").asText(),
                deployment.at("/spec/image").asText(),
                "the image docker-compose.yml runs");
    }

    @Test
    void flinkConfigurationIsFlinkConfKeyByKey() {
        // the flattening reads config.yaml into the keys Flink itself reads from it
        assertEquals(
                GlobalConfiguration.loadConfiguration(ROOT.resolve("flink-conf").toString())
                        .keySet(),
                flinkConf.keySet());
        Map<String, String> expected = new TreeMap<>();
        Map<String, String> actual = new TreeMap<>();
        flinkConf.forEach(
                (key, value) -> {
                    if (SET_BY_KUBERNETES.contains(key) || FROM_RESOURCE_SPECS.containsKey(key)) {
                        assertFalse(
                                flinkConfiguration.containsKey(key),
                                key + " is left to the operator on Kubernetes");
                    } else if (!DIFFERENT_ON_KUBERNETES.contains(key)) {
                        expected.put(key, normalised(value));
                        actual.put(
                                key,
                                flinkConfiguration.containsKey(key)
                                        ? normalised(flinkConfiguration.get(key))
                                        : "(missing)");
                    }
                });
        assertEquals(
                expected,
                actual,
                "session-cluster.yaml's flinkConfiguration against flink-conf/config.yaml");
    }

    @Test
    void theKeysThatDifferOnKubernetesHaveTheirKubernetesValues() {
        URI checkpoints = URI.create(flinkConfiguration.get("execution.checkpointing.dir"));
        URI savepoints =
                URI.create(flinkConfiguration.get("execution.checkpointing.savepoint-dir"));
        URI ha = URI.create(flinkConfiguration.get("high-availability.storageDir"));
        for (URI dir : List.of(checkpoints, savepoints, ha)) {
            assertEquals(
                    "s3",
                    dir.getScheme(),
                    dir + ": storage every pod reaches, through the S3 plugin");
            assertEquals(
                    checkpoints.getHost(),
                    dir.getHost(),
                    dir + ": the one bucket of the S3 Secret");
        }
        assertEquals(
                3,
                Set.of(checkpoints.getPath(), savepoints.getPath(), ha.getPath()).size(),
                "three directories");
        assertEquals("kubernetes", flinkConfiguration.get("high-availability.type"));
        assertTrue(
                envOfFlinkContainer()
                        .toString()
                        .contains(
                                "flink-s3-fs-hadoop-"
                                        + EnvironmentInformation.getVersion()
                                        + ".jar"),
                "the s3:// file system plugin of this version is enabled");
        // the operator submits FlinkSessionJobs by uploading their jars (network-policy.yaml guards
        // the port)
        assertEquals("true", normalised(flinkConfiguration.get("web.submit.enable")));
    }

    @Test
    void theProcessMemoryComesFromTheResourceSpecs() {
        FROM_RESOURCE_SPECS.forEach(
                (key, spec) -> {
                    String memory = deployment.at(spec).asText(null);
                    assertNotNull(memory, spec);
                    assertEquals(
                            MemorySize.parse(flinkConf.get(key)),
                            MemorySize.parse(memory),
                            spec + " against config.yaml's " + key);
                });
    }

    @Test
    void everyKeyNotCarriedOverIsExplainedInSessionClusterYaml() {
        int from = sessionClusterText.indexOf("--- different on Kubernetes");
        int to = sessionClusterText.indexOf("--- only on Kubernetes");
        assertTrue(
                from > 0 && to > from, "session-cluster.yaml's 'different on Kubernetes' section");
        String section = sessionClusterText.substring(from, to);
        Set<String> exceptions = new TreeSet<>(SET_BY_KUBERNETES);
        exceptions.addAll(FROM_RESOURCE_SPECS.keySet());
        exceptions.addAll(DIFFERENT_ON_KUBERNETES);
        for (String key : exceptions) {
            assertTrue(
                    flinkConf.containsKey(key),
                    key + " is no longer in config.yaml: drop the exception");
            assertTrue(
                    Pattern.compile("(^|[\\s,(])" + Pattern.quote(key) + "[\\s,:;)]")
                            .matcher(section)
                            .find(),
                    key
                            + " differs from config.yaml, but session-cluster.yaml's 'different on Kubernetes' section does not say so");
        }
    }

    // ---- the jobs ----

    @Test
    void thereIsOneSessionJobPerJobModule() throws IOException {
        Set<String> modules;
        try (Stream<Path> dirs = Files.list(ROOT.resolve("jobs"))) {
            modules =
                    dirs.filter(d -> Files.exists(d.resolve("pom.xml")))
                            .map(d -> d.getFileName().toString())
                            .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(modules, new TreeSet<>(JOBS.keySet()), "a command line for every job module");
        List<String> sessionJobs =
                ofKind("FlinkSessionJob").stream()
                        .map(j -> j.at("/metadata/name").asText())
                        .sorted()
                        .collect(Collectors.toList());
        assertEquals(List.copyOf(modules), sessionJobs);
    }

    @Test
    void everySessionJobRunsOnTheClusterFromThisVersionsJarWithSavepointUpgrades() {
        String jar = "-" + DeploymentFilesTest.projectVersion() + ".jar";
        for (JsonNode job : ofKind("FlinkSessionJob")) {
            String name = job.at("/metadata/name").asText();
            assertEquals("flink.apache.org/v1beta1", job.path("apiVersion").asText(), name);
            assertEquals(
                    deployment.at("/metadata/name").asText(),
                    job.at("/spec/deploymentName").asText(),
                    name);
            assertEquals(
                    "savepoint",
                    job.at("/spec/job/upgradeMode").asText(),
                    name + ": stopped with a savepoint, resumed from it");
            assertTrue(
                    job.at("/spec/job/jarURI").asText().endsWith("/" + name + jar),
                    name + ": " + job.at("/spec/job/jarURI"));
        }
    }

    @Test
    void everySessionJobsArgsParseWithItsJobsFlagsAndCarryNoPassword() throws IOException {
        for (JsonNode job : ofKind("FlinkSessionJob")) {
            String name = job.at("/metadata/name").asText();
            ParsedArgs parsed = parse(name, strings(job.at("/spec/job/args")));
            assertNull(
                    parsed.get(CommonFlags.JDBC_PASSWORD),
                    name + ": no --jdbc-password (it travels in the job graph)");
            assertNotNull(
                    parsed.get(CommonFlags.JDBC_PASSWORD_FILE), name + ": --jdbc-password-file");
            assertNotNull(
                    parsed.get(CommonFlags.KAFKA_PROPERTIES_FILE),
                    name + ": --kafka-properties-file");
            assertEquals(
                    "flink_pipelines",
                    parsed.get(CommonFlags.JDBC_USER),
                    name + ": the writer user, not the superuser");
        }
    }

    @Test
    void everyFileTheJobsArgsNameIsMounted() {
        JsonNode kafkaClient = only("ConfigMap", "kafka-client.yaml");
        for (JsonNode job : ofKind("FlinkSessionJob")) {
            String name = job.at("/metadata/name").asText();
            List<String> args = strings(job.at("/spec/job/args"));

            assertNotNull(flagValue(args, "jdbc-password-file"), name + ": --jdbc-password-file");
            assertNotNull(
                    flagValue(args, "kafka-properties-file"), name + ": --kafka-properties-file");
            MountedFile password = mountedFile(flagValue(args, "jdbc-password-file"));
            assertEquals("secret", password.kind(), name + ": the password is in a Secret");
            assertFalse(fileContent(password).isBlank());

            MountedFile properties = mountedFile(flagValue(args, "kafka-properties-file"));
            assertEquals("configMap", properties.kind(), name + ": the Kafka client properties");
            assertEquals(
                    kafkaClient.at("/metadata/name").asText(),
                    properties.source(),
                    name + ": kafka-client.yaml's ConfigMap");

            // the database's CA and client certificates named in the JDBC URL
            Matcher file =
                    Pattern.compile("[?&](sslrootcert|sslcert|sslkey)=([^&]+)")
                            .matcher(String.valueOf(flagValue(args, "jdbc-url")));
            while (file.find()) {
                assertFalse(
                        fileContent(mountedFile(file.group(2))).isBlank(),
                        name + ": " + file.group(1));
            }
        }
    }

    // ---- Kafka client properties ----

    @Test
    void kafkaClientPropertiesAreAcceptedByTheJobsAndKnownToKafka() throws IOException {
        Properties loaded = kafkaProperties();
        Path file = Files.writeString(tmp.resolve("kafka.properties"), kafkaPropertiesText());
        ParsedArgs parsed;
        try {
            parsed =
                    CommonFlags.forJob("any", "").parse("--kafka-properties-file", file.toString());
        } catch (Exception e) {
            fail("kafka-client.yaml: the jobs refuse kafka.properties: " + e.getMessage());
            return;
        }
        assertEquals(loaded.size(), KafkaClientConfig.from(parsed).properties().size());
        Set<String> known = new TreeSet<>(ConsumerConfig.configNames());
        known.addAll(ProducerConfig.configNames());
        known.addAll(AdminClientConfig.configNames());
        known.add(AbstractConfig.CONFIG_PROVIDERS_CONFIG);
        for (String key : loaded.stringPropertyNames()) {
            assertTrue(
                    known.contains(key)
                            || key.matches("config\\.providers\\.[a-z]+\\.(class|param\\..+)"),
                    key + " is no property of Kafka's clients");
        }
    }

    @Test
    void kafkaClientPropertiesHoldNoCredential() throws Exception {
        Properties loaded = kafkaProperties();
        Pattern reference = Pattern.compile("\\$\\{file:(/[^:}]+):([^}]+)}");
        List<String> sensitive =
                loaded.stringPropertyNames().stream()
                        .filter(Secrets::isSensitive)
                        .sorted()
                        .toList();
        assertTrue(
                sensitive.contains("sasl.jaas.config"),
                "the SASL example: " + loaded.stringPropertyNames());
        assertTrue(
                Arrays.asList(loaded.getProperty("config.providers", "").split("\\s*,\\s*"))
                                .contains("file")
                        && FileConfigProvider.class
                                .getName()
                                .equals(loaded.getProperty("config.providers.file.class")),
                "${file:...} is resolved only with Kafka's FileConfigProvider configured as 'file'");
        for (String key : sensitive) {
            Matcher ref = reference.matcher(loaded.getProperty(key));
            assertTrue(ref.matches(), key + " must be a ${file:/path:key} reference, not a value");
            MountedFile mounted = mountedFile(ref.group(1));
            assertEquals("secret", mounted.kind(), key + ": read from a mounted Secret");
            // resolved the way each client resolves it, from the example Secret's file
            Path copy = Files.writeString(tmp.resolve(mounted.key()), fileContent(mounted));
            try (FileConfigProvider provider = new FileConfigProvider()) {
                provider.configure(Map.of("allowed.paths", tmp.toString()));
                ConfigData data = provider.get(copy.toString(), Set.of(ref.group(2)));
                String value = data.data().get(ref.group(2));
                assertNotNull(
                        value,
                        key + ": " + ref.group(2) + " is not in the Secret's " + mounted.key());
                if (key.equals("sasl.jaas.config")) {
                    // Kafka's own parsing of the line: throws on malformed JAAS or a forbidden
                    // login module
                    JaasContext.loadClientContext(Map.of("sasl.jaas.config", new Password(value)));
                }
            }
        }
        loaded.forEach(
                (k, v) ->
                        assertFalse(
                                !reference.matcher(v.toString()).matches()
                                        && v.toString()
                                                .toLowerCase(Locale.ROOT)
                                                .matches(".*password\\s*=.*"),
                                k + " carries a password"));
    }

    @Test
    void everyFileKafkaClientPropertiesNameIsMounted() {
        Properties loaded = kafkaProperties();
        for (String key : loaded.stringPropertyNames()) {
            if (key.endsWith(".location")) {
                assertFalse(fileContent(mountedFile(loaded.getProperty(key))).isBlank(), key);
            }
        }
    }

    // ---- Secrets, identity, network ----

    @Test
    void secretsExampleHoldsOnlyPlaceholders() {
        List<JsonNode> secrets = FILES.get("secrets.example.yaml");
        assertFalse(secrets.isEmpty());
        for (JsonNode secret : secrets) {
            String name = secret.at("/metadata/name").asText();
            assertEquals("Secret", secret.path("kind").asText(), name);
            assertTrue(
                    secret.path("data").isMissingNode(),
                    name + ": stringData only, so the placeholders can be seen");
            secret.path("stringData")
                    .fields()
                    .forEachRemaining(
                            entry -> {
                                String where = name + " " + entry.getKey();
                                String value = entry.getValue().asText();
                                if (value.contains("-----BEGIN")) {
                                    for (String line : value.strip().split("\n")) {
                                        assertTrue(
                                                line.matches("-----(BEGIN|END) [A-Z ]+-----")
                                                        || line.strip().equals(PLACEHOLDER),
                                                where
                                                        + ": a certificate or key other than the placeholder: "
                                                        + line);
                                    }
                                } else if (entry.getKey().endsWith(".properties")) {
                                    Properties properties = load(value);
                                    assertFalse(properties.isEmpty(), where);
                                    properties.forEach(
                                            (k, v) -> {
                                                if (Secrets.isSensitive(k.toString())) {
                                                    Matcher password =
                                                            Pattern.compile(
                                                                            "(?i)password\\s*=\\s*\"([^\"]*)\"")
                                                                    .matcher(v.toString());
                                                    boolean any = false;
                                                    while (password.find()) {
                                                        any = true;
                                                        assertEquals(
                                                                PLACEHOLDER,
                                                                password.group(1),
                                                                where + " " + k);
                                                    }
                                                    assertTrue(
                                                            any || v.toString().equals(PLACEHOLDER),
                                                            where
                                                                    + " "
                                                                    + k
                                                                    + ": only a placeholder");
                                                }
                                            });
                                } else {
                                    assertEquals(PLACEHOLDER, value.strip(), where);
                                }
                            });
        }
    }

    @Test
    void secretsExampleDefinesExactlyTheSecretsTheClusterUses() {
        Map<String, Set<String>> used = new TreeMap<>();
        JsonNode pod = deployment.at("/spec/podTemplate/spec");
        pod.path("volumes")
                .forEach(
                        v -> {
                            if (v.has("secret")) {
                                used.computeIfAbsent(
                                        v.at("/secret/secretName").asText(), s -> new TreeSet<>());
                            }
                        });
        pod.path("containers")
                .forEach(
                        c ->
                                c.path("env")
                                        .forEach(
                                                e -> {
                                                    JsonNode ref = e.at("/valueFrom/secretKeyRef");
                                                    if (!ref.isMissingNode()) {
                                                        used.computeIfAbsent(
                                                                        ref.path("name").asText(),
                                                                        s -> new TreeSet<>())
                                                                .add(ref.path("key").asText());
                                                    }
                                                }));
        Map<String, JsonNode> defined = new TreeMap<>();
        FILES.get("secrets.example.yaml")
                .forEach(s -> defined.put(s.at("/metadata/name").asText(), s));
        assertEquals(used.keySet(), defined.keySet());
        used.forEach(
                (secret, keys) ->
                        keys.forEach(
                                key ->
                                        assertTrue(
                                                defined.get(secret).path("stringData").has(key),
                                                secret + " has no key " + key)));
    }

    @Test
    void theClusterRunsAsTheServiceAccountRbacYamlBinds() {
        String account = deployment.at("/spec/serviceAccount").asText();
        assertTrue(
                ofKind("ServiceAccount").stream()
                        .anyMatch(a -> a.at("/metadata/name").asText().equals(account)),
                account);
        JsonNode binding =
                ofKind("RoleBinding").stream()
                        .filter(
                                b ->
                                        b.toString()
                                                .contains(
                                                        "\"kind\":\"ServiceAccount\",\"name\":\""
                                                                + account
                                                                + "\""))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no RoleBinding for " + account));
        String role = binding.at("/roleRef/name").asText();
        JsonNode rules =
                ofKind("Role").stream()
                        .filter(r -> r.at("/metadata/name").asText().equals(role))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no Role " + role))
                        .path("rules");
        // native mode creates TaskManager pods; Kubernetes HA keeps its state in ConfigMaps
        for (String resource : List.of("pods", "configmaps")) {
            assertTrue(
                    rules.toString().contains("\"" + resource + "\""),
                    role + " grants " + resource);
        }
    }

    @Test
    void networkPoliciesSelectTheClustersPodsAndAdmitOnlyNamedSources() {
        List<JsonNode> policies = ofKind("NetworkPolicy");
        assertFalse(policies.isEmpty());
        Set<String> ports = new TreeSet<>();
        Set<String> components = new TreeSet<>();
        for (JsonNode policy : policies) {
            String name = policy.at("/metadata/name").asText();
            // Flink labels the pods of a native cluster app=<cluster id>, the FlinkDeployment's
            // name
            assertEquals(
                    deployment.at("/metadata/name").asText(),
                    policy.at("/spec/podSelector/matchLabels/app").asText(),
                    name);
            components.add(policy.at("/spec/podSelector/matchLabels/component").asText());
            policy.at("/spec/ingress")
                    .forEach(
                            rule -> {
                                assertTrue(
                                        rule.path("from").size() > 0,
                                        name + ": an ingress rule without 'from' admits everyone");
                                rule.path("ports").forEach(p -> ports.add(p.path("port").asText()));
                            });
        }
        assertEquals(Set.of("jobmanager", "taskmanager"), components);
        assertTrue(
                ports.contains(flinkConfiguration.get("rest.port")),
                "the REST port, for the operator: " + ports);
        assertTrue(
                ports.contains(flinkConfiguration.get("metrics.reporter.prom.port")),
                "the metrics port: " + ports);
    }

    // ---- helpers ----

    /** Where a path in Flink's container comes from: a key of a Secret or ConfigMap volume. */
    record MountedFile(String kind, String source, String key) {}

    private static MountedFile mountedFile(String path) {
        assertNotNull(path, "a file's path");
        JsonNode pod = deployment.at("/spec/podTemplate/spec");
        JsonNode container = null;
        for (JsonNode c : pod.path("containers")) {
            if (c.path("name").asText().equals(FLINK_CONTAINER)) {
                container = c;
            }
        }
        assertNotNull(container, "the podTemplate has no " + FLINK_CONTAINER);
        for (JsonNode mount : container.path("volumeMounts")) {
            String mountPath = mount.path("mountPath").asText().replaceAll("/+$", "");
            if (!path.startsWith(mountPath + "/")) {
                continue;
            }
            assertTrue(
                    mount.path("subPath").isMissingNode(),
                    mountPath + ": a subPath mount is never updated");
            String relative = path.substring(mountPath.length() + 1);
            JsonNode volume = null;
            for (JsonNode v : pod.path("volumes")) {
                if (v.path("name").asText().equals(mount.path("name").asText())) {
                    volume = v;
                }
            }
            assertNotNull(volume, "volumeMount " + mount.path("name").asText() + " has no volume");
            String kind =
                    volume.has("secret") ? "secret" : volume.has("configMap") ? "configMap" : null;
            assertNotNull(
                    kind,
                    path
                            + ": volume "
                            + volume.path("name").asText()
                            + " is no Secret or ConfigMap");
            String source =
                    kind.equals("secret")
                            ? volume.at("/secret/secretName").asText()
                            : volume.at("/configMap/name").asText();
            String key = relative;
            for (JsonNode item : volume.path(kind).path("items")) {
                key =
                        item.path("path").asText().equals(relative)
                                ? item.path("key").asText()
                                : null;
                if (key != null) {
                    break;
                }
            }
            assertNotNull(
                    key,
                    path + " is not among the items of volume " + volume.path("name").asText());
            assertFalse(key.contains("/"), path + ": a key of " + source + " holds no directory");
            return new MountedFile(kind, source, key);
        }
        fail(path + " is under no volumeMount of " + FLINK_CONTAINER);
        return null;
    }

    /**
     * The file's content as defined here: the ConfigMap in k8s/, the Secret in
     * secrets.example.yaml.
     */
    private static String fileContent(MountedFile file) {
        List<JsonNode> candidates =
                file.kind().equals("secret") ? FILES.get("secrets.example.yaml") : allDocuments();
        String kind = file.kind().equals("secret") ? "Secret" : "ConfigMap";
        for (JsonNode doc : candidates) {
            if (doc.path("kind").asText().equals(kind)
                    && doc.at("/metadata/name").asText().equals(file.source())) {
                JsonNode value =
                        doc.path(kind.equals("Secret") ? "stringData" : "data").path(file.key());
                assertFalse(
                        value.isMissingNode(),
                        kind + " " + file.source() + " has no key " + file.key());
                return value.asText();
            }
        }
        fail(
                kind
                        + " "
                        + file.source()
                        + " is not defined in k8s/"
                        + (kind.equals("Secret") ? "secrets.example.yaml" : ""));
        return null;
    }

    /**
     * A session job's args parsed by its job's command line, its Kafka properties file the mounted
     * ConfigMap's.
     */
    private ParsedArgs parse(String job, List<String> args) throws IOException {
        CommandLine commandLine = JOBS.get(job);
        assertNotNull(commandLine, job + " is not a job");
        String propertiesPath = flagValue(args, "kafka-properties-file");
        assertNotNull(propertiesPath, job + ": --kafka-properties-file");
        // the flag reads the file where the job is submitted: here, a copy of what the ConfigMap
        // mounts there
        Path copy =
                Files.writeString(
                        tmp.resolve(job + ".properties"), fileContent(mountedFile(propertiesPath)));
        List<String> local = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--kafka-properties-file") && i + 1 < args.size()) {
                local.add(arg);
                local.add(copy.toString());
                i++;
            } else {
                local.add(
                        arg.startsWith("--kafka-properties-file=")
                                ? "--kafka-properties-file=" + copy
                                : arg);
            }
        }
        try {
            return commandLine.parse(local.toArray(String[]::new));
        } catch (Exception e) {
            // the message, not the args: they could hold the very password this test keeps out
            fail("k8s/jobs/" + job + ".yaml: its args do not parse: " + e.getMessage());
            return null;
        }
    }

    /** A flag's value in {@code --name value} or {@code --name=value} form; null when absent. */
    private static String flagValue(List<String> args, String name) {
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("--" + name) && i + 1 < args.size()) {
                return args.get(i + 1);
            }
            if (args.get(i).startsWith("--" + name + "=")) {
                return args.get(i).substring(name.length() + 3);
            }
        }
        return null;
    }

    private static JsonNode only(String kind, String file) {
        List<JsonNode> docs =
                FILES.get(file).stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        assertEquals(1, docs.size(), "k8s/" + file + ": one " + kind);
        return docs.get(0);
    }

    private static String kafkaPropertiesText() {
        String text =
                only("ConfigMap", "kafka-client.yaml").at("/data/kafka.properties").asText(null);
        assertNotNull(text, "kafka-client.yaml: data kafka.properties");
        return text;
    }

    private static Properties kafkaProperties() {
        return load(kafkaPropertiesText());
    }

    private static Properties load(String text) {
        Properties properties = new Properties();
        try {
            properties.load(new StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return properties;
    }

    private static Map<String, String> envOfFlinkContainer() {
        Map<String, String> env = new LinkedHashMap<>();
        deployment
                .at("/spec/podTemplate/spec/containers")
                .forEach(
                        c -> {
                            if (c.path("name").asText().equals(FLINK_CONTAINER)) {
                                c.path("env")
                                        .forEach(
                                                e ->
                                                        env.put(
                                                                e.path("name").asText(),
                                                                e.path("value").asText(null)));
                            }
                        });
        return env;
    }

    private static List<JsonNode> allDocuments() {
        return FILES.values().stream().flatMap(List::stream).collect(Collectors.toList());
    }

    /** The objects of a kind in every file but the example. */
    private static List<JsonNode> ofKind(String kind) {
        List<JsonNode> found = new ArrayList<>();
        FILES.forEach(
                (file, docs) -> {
                    if (!file.endsWith(".example.yaml")) {
                        docs.stream()
                                .filter(d -> d.path("kind").asText().equals(kind))
                                .forEach(found::add);
                    }
                });
        return found;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** Nested YAML as the dotted keys Flink reads, each scalar as text. */
    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(
                            e ->
                                    flatten(
                                            prefix.isEmpty()
                                                    ? e.getKey()
                                                    : prefix + "." + e.getKey(),
                                            e.getValue(),
                                            out));
        } else if (!node.isMissingNode()) {
            out.put(prefix, node.isValueNode() ? node.asText() : node.toString());
        }
    }

    /**
     * One spelling per value: quoting already gone; 8, "8" and 8.0 alike; true and "True" alike.
     */
    private static String normalised(String value) {
        String trimmed = value.trim();
        if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
            // a list as config.yaml's loader renders it (["A","B"]) is "A;B" in a flat
            // configuration map
            return Arrays.stream(trimmed.substring(1, trimmed.length() - 1).split(","))
                    .map(item -> item.trim().replaceAll("^\"|\"$", ""))
                    .collect(Collectors.joining(";"));
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return value.toLowerCase(Locale.ROOT);
        }
        try {
            return new BigDecimal(value.trim()).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return value.trim();
        }
    }
}
