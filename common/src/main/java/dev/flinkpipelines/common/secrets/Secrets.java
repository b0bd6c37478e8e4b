package dev.flinkpipelines.common.secrets;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Keeps secrets out of what the project logs, prints and throws: a password inside a JDBC URL, the
 * values of client properties whose names say they hold credentials, and any known secret value
 * that a third-party message might repeat.
 */
public final class Secrets {

    /** What a secret is replaced with. */
    public static final String MASK = "****";

    /** {@code password=}, {@code sslpassword=} and friends in a JDBC URL's parameters. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)([?&;][a-z]*password=)[^&;]*");

    /** {@code //user:secret@host}: not PostgreSQL JDBC syntax, but people write it. */
    private static final Pattern URL_USER_INFO = Pattern.compile("//[^/@?]*:[^/@?]*@");

    /**
     * {@code password="..."} or {@code password=...} anywhere in a message: a JAAS login line
     * ({@code sasl.jaas.config}) that a client quotes back when it cannot parse it, a connection
     * string.
     */
    private static final Pattern INLINE_PASSWORD =
            Pattern.compile("(?i)(password\\s*=\\s*)(\"[^\"]*\"|[^\\s;,&\"]+)");

    private Secrets() {}

    /** {@code url} with every password in it masked. */
    public static String redactUrl(String url) {
        if (url == null) {
            return null;
        }
        String masked = URL_PASSWORD.matcher(url).replaceAll("$1" + MASK);
        return URL_USER_INFO.matcher(masked).replaceAll("//" + MASK + "@");
    }

    /**
     * Whether a client property holds a credential: passwords, keys and tokens, and Kafka's {@code
     * sasl.jaas.config}, whose value carries the user's password.
     */
    public static boolean isSensitive(String propertyName) {
        String name = propertyName.toLowerCase(Locale.ROOT);
        return name.contains("password")
                || name.contains("secret")
                || name.contains("token")
                || name.equals("sasl.jaas.config")
                || name.endsWith(".key")
                || name.contains("credentials");
    }

    /** {@code properties} for a message or log: sensitive values masked, sorted by name. */
    public static Map<String, String> redact(Map<?, ?> properties) {
        Map<String, String> shown = new TreeMap<>();
        properties.forEach(
                (k, v) ->
                        shown.put(
                                String.valueOf(k),
                                isSensitive(String.valueOf(k)) ? MASK : String.valueOf(v)));
        return shown;
    }

    /**
     * {@code message} with each of {@code secrets} (null or short ones ignored) masked, and any
     * {@code password=} value in it.
     */
    public static String scrub(String message, String... secrets) {
        if (message == null) {
            return null;
        }
        String scrubbed = INLINE_PASSWORD.matcher(message).replaceAll("$1" + MASK);
        for (String secret : secrets) {
            // a secret of one or two characters would mask half the message and protect nothing
            if (secret != null && secret.length() >= 3) {
                scrubbed = scrubbed.replace(secret, MASK);
            }
        }
        return scrubbed;
    }
}
