package io.tangle.microvm.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An exclusive lock on a service's directory, so that only one operator process applies that
 * service's jobs. Two processes on one database would each execute the same calls and submit
 * results for them.
 *
 * <p>The lock is an OS file lock, so the kernel releases it when the process dies, even by
 * SIGKILL, and a stale lock file never blocks a restart. The file contains the holder's process id
 * for the error message of the next opener.
 */
final class ServiceLock implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ServiceLock.class);

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private ServiceLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock without waiting, or throws a {@link StoreException} naming the holder. */
    static ServiceLock acquire(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StoreException("could not open the lock file " + file + ": " + e
                    + "; check that the data directory is writable", e);
        }

        try {
            FileLock lock = tryLock(file, channel);
            writeHolder(channel);
            return new ServiceLock(file, channel, lock);
        } catch (IOException | RuntimeException e) {
            closeQuietly(file, channel, e);
            if (e instanceof StoreException storeException) {
                throw storeException;
            }
            throw new StoreException("could not lock " + file + ": " + e, e);
        }
    }

    private static FileLock tryLock(Path file, FileChannel channel) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // The JVM tracks its own file locks and throws here instead of returning null.
            throw new StoreException("this process already has the store open (lock file " + file
                    + "); use the open SqliteStore instead of opening it again", e);
        }
        if (lock == null) {
            throw new StoreException("another operator process already uses " + file.getParent() + " (" + holder(file)
                    + "); stop that process, or give this one another data directory");
        }
        return lock;
    }

    private static void writeHolder(FileChannel channel) throws IOException {
        byte[] pid = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(pid), 0);
    }

    private static String holder(Path file) {
        try {
            String pid = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return pid.isEmpty() ? "process id unknown" : "process id " + pid;
        } catch (IOException e) {
            return "process id unreadable: " + e.getMessage();
        }
    }

    private static void closeQuietly(Path file, FileChannel channel, Exception primary) {
        try {
            channel.close();
        } catch (IOException e) {
            log.warn("could not close the lock file {} after a failed lock: {}", file, e.toString());
            primary.addSuppressed(e);
        }
    }

    /**
     * Releases the lock. The file stays, so the next opener does not race a deletion. Closing
     * twice does nothing.
     */
    @Override
    public void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new StoreException("could not release the lock file " + file + ": " + e, e);
        }
    }
}
