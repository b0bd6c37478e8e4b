package dev.flinkpipelines.common.options;

/** A bad command line: the message is shown to the user as is, one line. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
