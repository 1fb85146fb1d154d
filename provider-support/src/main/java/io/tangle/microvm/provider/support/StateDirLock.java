package io.tangle.microvm.provider.support;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BiFunction;

/**
 * An exclusive lock on a state directory, held for the provider's lifetime, so two providers
 * never adopt, kill or write the same VMs. The operating system releases it when the process dies.
 */
public final class StateDirLock implements AutoCloseable {

    public static final String LOCK_FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock or throws the exception built by {@code startupException} when another
     * provider holds it or the lock file cannot be opened or locked.
     *
     * @param providerName the provider named in the message, such as {@code QEMU}
     * @param stateDirVariable the environment variable that sets the state directory
     * @param startupException builds the exception from a message and a cause. The cause is
     *     {@code null} when another provider holds the lock.
     */
    public static StateDirLock acquire(Path stateDir, String providerName, String stateDirVariable,
            BiFunction<String, Throwable, ? extends RuntimeException> startupException) {
        Path file = stateDir.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw startupException.apply("cannot open the lock file " + file + ": " + e.getMessage(), e);
        }

        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            closeQuietly(channel);
            throw startupException.apply("cannot lock " + file + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw startupException.apply("state directory " + stateDir + " is in use by another " + providerName
                    + " provider (lock file " + file + "); stop that operator or set " + stateDirVariable
                    + " to another directory", null);
        }
        return new StateDirLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // The channel close below releases the lock as well.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing left to release.
        }
    }
}
