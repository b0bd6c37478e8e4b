package dev.flinkpipelines.common.postgres.internal;

import java.io.IOException;
import java.sql.SQLException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.runtime.execution.SuppressRestartsException;

/**
 * How the sink fails. A failure that a restart can cure (the connection dropped, PostgreSQL is
 * restarting, a lock wait timed out) is an {@link IOException}: Flink restarts the job from its
 * latest checkpoint, with the cluster's back-off. A failure that no restart can cure (permission
 * denied, a table missing, a row the table refuses, rows known to be lost) stops the job with
 * {@link SuppressRestartsException} and a message that says what happened and what to do, instead
 * of a restart loop that hides it.
 */
@Internal
public final class SinkFailures {

    private SinkFailures() {}

    /**
     * Connection-class and resource errors, lock and serialization timeouts, cancels: PostgreSQL
     * restarting, a network cut, a terminated session. A missing SQLSTATE means the driver lost the
     * connection without the server saying why.
     *
     * <p>Refused logins (class 28) too: the password is read from its file at every connection, and
     * while a credential is rotated the file and the server disagree for a while (a Kubernetes
     * Secret reaches the pods up to a minute after it changed). Stopping the job for good then
     * would turn every rotation into an outage that needs a person; Flink's restart back-off (up to
     * a minute) retries instead, and the exception history names the refusal meanwhile. A wrong
     * password at submission is still a one-line error: the preflight check connects first.
     */
    static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        if (state == null) {
            return true;
        }
        return state.startsWith("08") // connection exception
                || state.startsWith(
                        "53") // insufficient resources (too many connections, disk full)
                || state.startsWith(
                        "57P") // admin/crash shutdown, cannot connect now, database dropped
                || state.startsWith("58") // system error (I/O)
                || state.equals("57014") // query canceled (statement timeout, pg_cancel_backend)
                || state.equals("55P03") // lock not available (our lock_timeout)
                || state.equals("40001") // serialization failure
                || state.equals("40P01") // deadlock detected
                || state.startsWith(
                        "28"); // login refused (password being rotated, file not mounted yet)
    }

    /**
     * Class 28: the server refused the login (wrong password, no pg_hba.conf entry for this user).
     */
    static boolean isLoginRefused(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("28");
    }

    static String describe(SQLException e) {
        return e.getMessage() + " (SQLSTATE " + e.getSQLState() + ")";
    }

    /**
     * The failure to throw for {@code e} while doing {@code what}: an IOException to restart from,
     * or, for an error no restart can cure, a {@link SuppressRestartsException} thrown right here.
     */
    static IOException onSqlError(String what, SQLException e) {
        if (isTransient(e)) {
            return new IOException(what + ": " + describe(e), e);
        }
        throw stop(
                what
                        + ": "
                        + describe(e)
                        + ". Retrying cannot fix this, so the job stops instead of"
                        + " restarting in a loop; prepared transactions stay prepared. Fix the cause, then resume from the"
                        + " latest checkpoint (flink run -s <checkpoint> ...), whose committer commits them.",
                e);
    }

    /**
     * Stops the job for good with {@code message}: restarting would fail the same way or hide a
     * loss.
     */
    static SuppressRestartsException stop(String message, Throwable cause) {
        return new SuppressRestartsException(new PostgresSinkException(message, cause));
    }

    /** What the sink failed with; the message is meant for the person who runs the job. */
    static final class PostgresSinkException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        PostgresSinkException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
