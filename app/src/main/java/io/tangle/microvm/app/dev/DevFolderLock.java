package io.tangle.microvm.app.dev;

import io.tangle.microvm.app.config.ConfigException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on the dev folder, held while {@code dev} runs. A second {@code dev} on the
 * same folder would delete the first one's operator state and keystore, so it is rejected before
 * it touches anything. The kernel releases the lock when the process ends, kill -9 included.
 */
public final class DevFolderLock implements AutoCloseable {

    public static final String FILE_NAME = "dev.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DevFolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock, or fails with a message naming the folder and the process that holds it. */
    public static DevFolderLock acquire(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            String holder = readHolder(channel);
            channel.close();
            throw new ConfigException("another 'dev' command already uses " + dir + " (process " + holder
                    + "); stop it first, or pass another --data-dir");
        }

        channel.truncate(0);
        channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
        return new DevFolderLock(channel, lock);
    }

    private static String readHolder(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        int read = channel.read(buffer, 0);
        return read <= 0 ? "unknown" : new String(buffer.array(), 0, read, StandardCharsets.UTF_8).strip();
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
