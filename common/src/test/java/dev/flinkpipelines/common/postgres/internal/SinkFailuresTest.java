package dev.flinkpipelines.common.postgres.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.sql.SQLException;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.junit.jupiter.api.Test;

class SinkFailuresTest {

    @Test
    void whatARestartCanCureIsRetried() {
        for (String state :
                new String[] {
                    "08006", "57P01", "57P03", "53300", "55P03", "40001", "40P01", "57014", null
                }) {
            assertTrue(
                    SinkFailures.isTransient(new SQLException("x", state)), String.valueOf(state));
        }
    }

    /**
     * A credential being rotated: the file and the server disagree for a while, then agree again.
     */
    @Test
    void aRefusedLoginIsRetriedNotTheEndOfTheJob() {
        assertTrue(
                SinkFailures.isTransient(
                        new SQLException("password authentication failed", "28P01")));
        assertTrue(SinkFailures.isTransient(new SQLException("no pg_hba.conf entry", "28000")));
        assertInstanceOf(
                IOException.class,
                SinkFailures.onSqlError("committing", new SQLException("refused", "28P01")));
        assertTrue(SinkFailures.isLoginRefused(new SQLException("refused", "28P01")));
        assertFalse(SinkFailures.isLoginRefused(new SQLException("gone", "08006")));
    }

    @Test
    void whatNoRestartCanCureStopsTheJob() {
        for (String state : new String[] {"42501", "42P01", "23505", "22003"}) {
            assertFalse(SinkFailures.isTransient(new SQLException("x", state)), state);
        }
        assertThrows(
                SuppressRestartsException.class,
                () -> SinkFailures.onSqlError("committing", new SQLException("denied", "42501")));
    }
}
