package dev.flinkpipelines.common.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void urlsLoseEveryPasswordAndKeepTheRest() {
        assertEquals(
                "jdbc:postgresql://db:5432/flink?user=app&password=****&sslmode=require",
                Secrets.redactUrl(
                        "jdbc:postgresql://db:5432/flink?user=app&password=hunter22&sslmode=require"));
        assertEquals(
                "jdbc:postgresql://db/flink?sslpassword=****",
                Secrets.redactUrl("jdbc:postgresql://db/flink?sslpassword=k3y"));
        assertEquals(
                "jdbc:postgresql://****@db/flink",
                Secrets.redactUrl("jdbc:postgresql://app:hunter22@db/flink"));
        assertEquals(
                "jdbc:postgresql://db:5432/flink",
                Secrets.redactUrl("jdbc:postgresql://db:5432/flink"));
        assertNull(Secrets.redactUrl(null));
    }

    @Test
    void credentialPropertiesAreMaskedOthersShown() {
        Map<String, String> shown =
                Secrets.redact(
                        Map.of(
                                "sasl.jaas.config",
                                        "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p4ss\";",
                                "ssl.truststore.password", "trust-me",
                                "ssl.keystore.key", "-----BEGIN",
                                "security.protocol", "SASL_SSL"));
        assertEquals(
                Map.of(
                        "sasl.jaas.config",
                        Secrets.MASK,
                        "ssl.truststore.password",
                        Secrets.MASK,
                        "ssl.keystore.key",
                        Secrets.MASK,
                        "security.protocol",
                        "SASL_SSL"),
                shown);
        assertFalse(Secrets.isSensitive("sasl.mechanism"));
        assertTrue(Secrets.isSensitive("basic.auth.user.info.credentials"));
    }

    @Test
    void messagesLoseKnownSecretsAndInlinePasswords() {
        assertEquals(
                "login failed for **** at db",
                Secrets.scrub("login failed for hunter22 at db", "hunter22"));
        assertEquals(
                "a b",
                Secrets.scrub("a b", "a", null),
                "one- and two-character secrets would mask everything");
        assertEquals(
                "Value not specified for key 'x' in JAAS config: username=\"u\" password=****;",
                Secrets.scrub(
                        "Value not specified for key 'x' in JAAS config: username=\"u\" password=\"s3cr3t\";"));
        assertEquals(
                "url ?user=a&password=****&ssl=true",
                Secrets.scrub("url ?user=a&password=s3cr3t&ssl=true"));
    }
}
