package dev.flinkpipelines.common.postgres.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.util.function.ThrowingRunnable;

/** A stand-in for the task mailbox: mails queued by the test run when the writer yields. */
public final class QueueMailbox implements MailboxExecutor {
    final Deque<ThrowingRunnable<? extends Exception>> queue = new ArrayDeque<>();

    @Override
    public void execute(
            MailboxExecutor.MailOptions options,
            ThrowingRunnable<? extends Exception> command,
            String format,
            Object... args) {
        queue.add(command);
    }

    @Override
    public void yield() {
        tryYield();
    }

    @Override
    public boolean tryYield() {
        ThrowingRunnable<? extends Exception> mail = queue.poll();
        if (mail == null) {
            return false;
        }
        try {
            mail.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return true;
    }

    @Override
    public boolean shouldInterrupt() {
        return false;
    }
}
