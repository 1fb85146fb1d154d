package io.tangle.microvm.provider.qemu;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest's serial console output of one VM: appended to a file that rotates once to
 * {@code NAME.1} at {@code maxFileBytes} (so at most twice that on disk), kept as a small in-memory
 * tail for queries, and split into lines for listeners such as the ready-line wait.
 *
 * <p>The tail has its own lock and never waits for file I/O, so queries stay fast.
 */
final class ConsoleLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConsoleLog.class);

    /** Maximum line length in bytes handed to listeners. The rest of a longer line is dropped. */
    private static final int MAX_LINE_BYTES = 4096;

    private final String vmId;
    private final Path file;
    private final long maxFileBytes;
    private final byte[] tail;
    private final List<Consumer<String>> lineListeners = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream currentLine = new ByteArrayOutputStream();

    // Guarded by "this": the file, its size and the line splitter.
    private OutputStream out;
    private long fileBytes;
    private boolean writeFailed;

    // Guarded by "tail": a ring buffer of the latest output.
    private int tailStart;
    private int tailLength;

    /**
     * Opens the console file for appending and loads the end of an existing file into the tail,
     * so a provider that adopts a running guest shows its earlier output.
     */
    ConsoleLog(String vmId, Path file, long maxFileBytes, int tailBytes) throws IOException {
        this.vmId = vmId;
        this.file = file;
        this.maxFileBytes = maxFileBytes;
        this.tail = new byte[tailBytes];
        this.fileBytes = Files.exists(file) ? Files.size(file) : 0;
        seedTail();
        this.out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Appends console output. A file error is logged once, and the tail and listeners still get the output. */
    void append(byte[] data, int offset, int length) {
        appendToTail(data, offset, length);

        List<String> lines = new ArrayList<>();
        synchronized (this) {
            writeToFile(data, offset, length);
            for (int i = offset; i < offset + length; i++) {
                byte b = data[i];
                if (b == '\n') {
                    lines.add(currentLine.toString(StandardCharsets.UTF_8).replace("\r", ""));
                    currentLine.reset();
                } else if (currentLine.size() < MAX_LINE_BYTES) {
                    currentLine.write(b);
                }
            }
        }

        for (String line : lines) {
            for (Consumer<String> listener : lineListeners) {
                try {
                    listener.accept(line);
                } catch (RuntimeException e) {
                    log.warn("console line listener of vm '{}' failed", vmId, e);
                }
            }
        }
    }

    /** Returns up to the last {@code maxBytes} bytes of output, decoded as UTF-8. */
    String tail(int maxBytes) {
        synchronized (tail) {
            int length = Math.min(Math.max(0, maxBytes), tailLength);
            byte[] copy = new byte[length];
            int start = (tailStart + tailLength - length) % tail.length;
            for (int i = 0; i < length; i++) {
                copy[i] = tail[(start + i) % tail.length];
            }
            return new String(copy, StandardCharsets.UTF_8);
        }
    }

    /** Returns the last {@code count} complete or partial lines of the tail. */
    List<String> lastLines(int count) {
        String text = tail(tail.length).strip();
        if (text.isEmpty()) {
            return List.of();
        }
        List<String> lines = text.lines().toList();
        return lines.subList(Math.max(0, lines.size() - count), lines.size());
    }

    void addLineListener(Consumer<String> listener) {
        lineListeners.add(listener);
    }

    void removeLineListener(Consumer<String> listener) {
        lineListeners.remove(listener);
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException e) {
            log.warn("closing the console log {} of vm '{}' failed: {}", file, vmId, e.toString());
        }
    }

    private void appendToTail(byte[] data, int offset, int length) {
        synchronized (tail) {
            int from = offset + Math.max(0, length - tail.length);
            for (int i = from; i < offset + length; i++) {
                int position = (tailStart + tailLength) % tail.length;
                tail[position] = data[i];
                if (tailLength < tail.length) {
                    tailLength++;
                } else {
                    tailStart = (tailStart + 1) % tail.length;
                }
            }
        }
    }

    private void writeToFile(byte[] data, int offset, int length) {
        try {
            if (fileBytes + length > maxFileBytes && fileBytes > 0) {
                rotate();
            }
            out.write(data, offset, length);
            out.flush();
            fileBytes += length;
            writeFailed = false;
        } catch (IOException e) {
            if (!writeFailed) {
                log.warn("writing the console log {} of vm '{}' failed; output stays in memory only: {}", file, vmId,
                        e.toString());
            }
            writeFailed = true;
        }
    }

    private void rotate() throws IOException {
        out.close();
        Files.move(file, file.resolveSibling(file.getFileName() + ".1"), StandardCopyOption.REPLACE_EXISTING);
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        fileBytes = 0;
    }

    private void seedTail() throws IOException {
        if (fileBytes == 0) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int length = (int) Math.min(tail.length, fileBytes);
            ByteBuffer buffer = ByteBuffer.allocate(length);
            channel.position(fileBytes - length);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // Reads until the buffer is full or the file ends.
            }
            appendToTail(buffer.array(), 0, buffer.position());
        }
    }
}
