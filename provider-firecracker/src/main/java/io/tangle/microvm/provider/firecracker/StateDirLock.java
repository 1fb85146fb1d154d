package io.tangle.microvm.provider.firecracker;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a state directory, held for the provider's lifetime, so two providers
 * never adopt, kill or write the same VMs. The operating system releases it when the process dies.
 */
final class StateDirLock implements AutoCloseable {

    static final String LOCK_FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock or throws {@link FirecrackerStartupException} when another provider holds it. */
    static StateDirLock acquire(Path stateDir) {
        Path file = stateDir.resolve(LOCK_FILE);
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new FirecrackerStartupException("cannot open the lock file " + file + ": " + e.getMessage(), e);
        }

        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new FirecrackerStartupException("cannot lock " + file + ": " + e.getMessage(), e);
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new FirecrackerStartupException("state directory " + stateDir + " is in use by another Firecracker "
                    + "provider (lock file " + file + "); stop that operator or set " + FirecrackerConfig.STATE_DIR
                    + " to another directory");
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
