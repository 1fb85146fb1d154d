package io.tangle.microvm.app.dev;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pid file of the Anvil that a {@code dev} command started. A {@code dev} killed with kill -9
 * cannot stop its Anvil, which then keeps the RPC port; the next {@code dev} on the same folder
 * ends it, after checking that the pid still belongs to an Anvil process.
 */
public final class LeftoverAnvil {

    private static final Logger log = LoggerFactory.getLogger(LeftoverAnvil.class);

    public static final String FILE_NAME = "anvil.pid";

    private static final long STOP_TIMEOUT_SECONDS = 5;

    private LeftoverAnvil() {
    }

    /** Records the pid of the Anvil this command started. */
    public static void record(Path dir, long pid) throws IOException {
        Files.writeString(dir.resolve(FILE_NAME), Long.toString(pid));
    }

    private static void stop(ProcessHandle anvil) throws InterruptedException {
        anvil.destroy();
        try {
            anvil.onExit().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("Anvil (pid {}) did not exit within {} s of SIGTERM; killing it", anvil.pid(), STOP_TIMEOUT_SECONDS);
            anvil.destroyForcibly();
        } catch (ExecutionException e) {
            log.warn("could not wait for Anvil (pid {}) to exit: {}", anvil.pid(), e.getMessage());
        }
    }

    /** Ends the Anvil recorded in {@code dir} if it still runs; call it while holding the {@link DevFolderLock}. */
    public static void endIfRunning(Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return;
        }

        long pid;
        try {
            pid = Long.parseLong(Files.readString(file).strip());
        } catch (NumberFormatException e) {
            log.warn("ignoring {}: it contains no valid process id", file);
            Files.delete(file);
            return;
        }

        Optional<ProcessHandle> process = ProcessHandle.of(pid)
                .filter(handle -> handle.info().command().map(command -> command.endsWith("/anvil")).orElse(false));
        if (process.isPresent()) {
            log.warn("ending Anvil (pid {}) left running by an earlier dev command in {}", pid, dir);
            stop(process.get());
        }
        Files.delete(file);
    }
}
