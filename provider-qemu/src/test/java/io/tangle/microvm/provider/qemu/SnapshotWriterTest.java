package io.tangle.microvm.provider.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotWriterTest {

    @TempDir
    Path dir;

    /**
     * Runs the writer command the way QEMU does, {@code /bin/sh -c COMMAND} with the stream on
     * stdin, through a FIFO: the JDK closes a child's stdin pipe once the child exits, while QEMU
     * keeps writing after its shell exited.
     */
    private Writer startWriter(Path partial, Path written, Path failed) throws Exception {
        Path fifo = dir.resolve("stream.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(5, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).isTrue();

        // Opening a FIFO blocks until both ends are open, so the write end opens on its own thread.
        CompletableFuture<OutputStream> stream = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newOutputStream(fifo);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String uri = SnapshotWriter.writerUri(partial, written, failed);
        Process shell = new ProcessBuilder("/bin/sh", "-c", uri.substring("exec:".length()))
                .redirectInput(fifo.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new Writer(shell, stream.get(5, TimeUnit.SECONDS));
    }

    private record Writer(Process shell, OutputStream stream) {
    }

    @Test
    void writerShellExitsBeforeStreamEnds() throws Exception {
        Path partial = dir.resolve("s1.partial");
        Path written = dir.resolve("s1.written");
        Path failed = dir.resolve("s1.failed");
        byte[] data = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(data);

        Writer writer = startWriter(partial, written, failed);
        // The shell that QEMU tracks must exit while the stream is still open.
        assertThat(writer.shell().waitFor(5, TimeUnit.SECONDS)).isTrue();
        try (OutputStream stream = writer.stream()) {
            stream.write(data);
        }

        TestGuests.await("the written file", Duration.ofSeconds(10), () -> Files.exists(written));
        assertThat(Files.readAllBytes(written)).isEqualTo(data);
        assertThat(Files.exists(partial)).isFalse();
        assertThat(Files.exists(failed)).isFalse();
    }

    @Test
    void writerMarksFailureWhenFileCannotBeWritten() throws Exception {
        Path partial = dir.resolve("missing-dir/s1.partial");
        Path written = dir.resolve("missing-dir/s1.written");
        Path failed = dir.resolve("s1.failed");

        Writer writer = startWriter(partial, written, failed);
        assertThat(writer.shell().waitFor(5, TimeUnit.SECONDS)).isTrue();
        writer.stream().close();

        TestGuests.await("the failure marker", Duration.ofSeconds(10), () -> Files.exists(failed));
        assertThat(Files.exists(written)).isFalse();
    }
}
