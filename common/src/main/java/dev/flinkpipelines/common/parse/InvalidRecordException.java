package dev.flinkpipelines.common.parse;

import dev.flinkpipelines.common.deadletter.ErrorCode;

/**
 * A record that breaks its contract: carries the dead-letter code and a reason a person can act on.
 */
public final class InvalidRecordException extends Exception {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    public InvalidRecordException(ErrorCode code, String reason) {
        super(reason, null, false, false); // no stack trace: this is data, not a bug
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
