package io.tangle.microvm.provider.qemu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts QEMU processes: a cold boot that returns once the guest printed its ready line, or a
 * restore that returns once the saved guest runs. A launch that fails kills its process, removes
 * its sockets and throws a {@link LaunchException} with QEMU's last output and the console tail.
 */
final class QemuLauncher {

    private static final Logger log = LoggerFactory.getLogger(QemuLauncher.class);

    private static final int DIAGNOSTIC_LINES = 5;

    private final Duration qmpTimeout;
    private final Duration killWait;
    private final boolean logLaunches;

    /**
     * @param logLaunches whether process starts and boot times are logged at INFO (otherwise at
     *     DEBUG, for the accelerator probe)
     */
    QemuLauncher(QemuConfig config, boolean logLaunches) {
        this.qmpTimeout = config.qmpTimeout();
        this.killWait = config.stopTimeout();
        this.logLaunches = logLaunches;
    }

    /** Boots a fresh guest and waits for its ready line. */
    QemuProcess boot(String vmId, VmPaths paths, int slot, MachineSpec machine, ConsoleLog console, Duration timeout)
            throws LaunchException, InterruptedException {
        Instant started = Instant.now();
        Instant deadline = started.plus(timeout);
        QemuProcess process = launch(vmId, paths, slot, machine, console, Optional.empty(), deadline);

        CompletableFuture<Void> ready = new CompletableFuture<>();
        Consumer<String> readyListener = line -> {
            if (line.contains(GuestImage.READY_LINE)) {
                ready.complete(null);
            }
        };
        console.addLineListener(readyListener);
        try {
            runStep(vmId, process, console, "resume the guest", () -> process.qmp(qmpTimeout).execute("cont"));
            awaitReady(vmId, process, console, ready, deadline, timeout);
        } finally {
            console.removeLineListener(readyListener);
        }

        info("vm '{}' booted in {} ms (pid {}, {}, {} MiB, {} vCPU)", vmId,
                Duration.between(started, Instant.now()).toMillis(), process.pid(),
                machine.accelerator().qemuName(), machine.memoryMib(), machine.vcpus());
        return process;
    }

    /**
     * Starts QEMU with {@code -incoming} from {@code snapshot}, waits until the stream is loaded and
     * resumes the guest. QEMU reports run state {@code inmigrate} while it loads, and a {@code cont}
     * sent then would be lost, so the resume waits until the state changes.
     */
    QemuProcess restore(String vmId, VmPaths paths, int slot, MachineSpec machine, Path snapshot, ConsoleLog console,
            Duration timeout) throws LaunchException, InterruptedException {
        Instant started = Instant.now();
        Instant deadline = started.plus(timeout);
        QemuProcess process = launch(vmId, paths, slot, machine, console, Optional.of(snapshot), deadline);

        String state = runStep(vmId, process, console, "load the snapshot",
                () -> IncomingMigration.awaitLoaded(process.qmp(qmpTimeout), deadline, timeout));
        if (!"running".equals(state)) {
            runStep(vmId, process, console, "resume the restored guest", () -> {
                QmpClient qmp = process.qmp(qmpTimeout);
                qmp.execute("cont");
                String after = QmpCommands.runState(qmp.execute("query-status"));
                if (!"running".equals(after)) {
                    throw new IllegalStateException("run state is '" + after + "' after cont, expected 'running'");
                }
                return after;
            });
        }

        info("vm '{}' restored from {} in {} ms (pid {})", vmId, snapshot.getFileName(),
                Duration.between(started, Instant.now()).toMillis(), process.pid());
        return process;
    }

    private QemuProcess launch(String vmId, VmPaths paths, int slot, MachineSpec machine, ConsoleLog console,
            Optional<Path> incoming, Instant deadline) throws LaunchException, InterruptedException {
        VmPaths.LaunchSockets sockets = paths.sockets(slot);
        prepareSocketDir(vmId, paths);
        clearStaleSockets(vmId, sockets);

        List<String> args = QemuCommandLine.build(vmId, machine, sockets, incoming);
        QemuProcess process;
        try {
            process = QemuProcess.spawn(vmId, args, paths.dir(), paths.qemuLog(), sockets, machine, slot);
        } catch (IOException e) {
            throw new LaunchException("start QEMU", "cannot start QEMU for vm '" + vmId + "' with " + args.get(0)
                    + ": " + e.getMessage(), e);
        }
        info("vm '{}': started QEMU pid {} ({}{})", vmId, process.pid(), machine.accelerator().qemuName(),
                incoming.map(file -> ", incoming " + file.getFileName()).orElse(""));

        runStep(vmId, process, console, "connect QMP", () -> {
            process.connectQmp(deadline, qmpTimeout);
            return null;
        });
        runStep(vmId, process, console, "connect the serial console", () -> {
            process.attachConsole(deadline, console);
            return null;
        });
        return process;
    }

    private void awaitReady(String vmId, QemuProcess process, ConsoleLog console, CompletableFuture<Void> ready,
            Instant deadline, Duration timeout) throws LaunchException, InterruptedException {
        long waitMillis = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
        try {
            CompletableFuture.anyOf(ready, process.exitFuture()).get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            fail(vmId, process, console, "wait for the ready line", "the guest did not print " + GuestImage.READY_LINE
                    + " within the boot timeout of " + timeout.toMillis() + " ms", null);
        } catch (ExecutionException e) {
            fail(vmId, process, console, "wait for the ready line", "waiting failed: " + e.getCause(), e.getCause());
        }
        if (!ready.isDone()) {
            fail(vmId, process, console, "wait for the ready line", "QEMU exited before the guest was ready", null);
        }
    }

    /**
     * Creates the socket directory again when it is gone (systemd-tmpfiles may remove an empty,
     * old directory in /tmp) and repeats its ownership checks.
     */
    private static void prepareSocketDir(String vmId, VmPaths paths) throws LaunchException {
        try {
            QemuSocketDir.prepare(paths.stateDir());
        } catch (IOException e) {
            throw new LaunchException("prepare sockets", "cannot prepare the sockets of vm '" + vmId + "': "
                    + e.getMessage(), e);
        }
    }

    /**
     * Refuses to start when a live process listens on one of the sockets, because QEMU would unlink
     * that socket file and take the path over. Removes socket files that no process listens on.
     */
    private static void clearStaleSockets(String vmId, VmPaths.LaunchSockets sockets) throws LaunchException {
        for (Path socket : List.of(sockets.qmp(), sockets.console())) {
            if (!Files.exists(socket)) {
                continue;
            }
            if (UnixSockets.isListening(socket)) {
                throw new LaunchException("prepare sockets", "socket " + socket + " of vm '" + vmId
                        + "' is in use by a live process; refusing to start a second QEMU for the same VM", null);
            }
            try {
                Files.deleteIfExists(socket);
                log.info("vm '{}': removed stale socket {}", vmId, socket);
            } catch (IOException e) {
                throw new LaunchException("prepare sockets", "cannot remove stale socket " + socket + " of vm '"
                        + vmId + "': " + e.getMessage(), e);
            }
        }
    }

    private <T> T runStep(String vmId, QemuProcess process, ConsoleLog console, String step, LaunchStep<T> action)
            throws LaunchException, InterruptedException {
        try {
            return action.run();
        } catch (IOException | RuntimeException e) {
            fail(vmId, process, console, step, e.getMessage(), e);
            throw new AssertionError("fail() always throws");
        } catch (InterruptedException e) {
            discard(vmId, process);
            throw e;
        }
    }

    /**
     * Kills the process, removes its sockets and throws a {@link LaunchException} with diagnostics.
     * The caller logs the failure.
     */
    private void fail(String vmId, QemuProcess process, ConsoleLog console, String step, String cause, Throwable error)
            throws LaunchException, InterruptedException {
        boolean exitedByItself = !process.isAlive();
        // Gives QEMU a moment to finish exiting, and the JDK to collect the exit status of a
        // process that already ended, so its exit status and last words are known.
        if (exitedByItself || !process.connectedQmp().isPresent()) {
            exitedByItself = process.awaitExit(Duration.ofMillis(200));
        }
        String exit = exitedByItself ? process.exitDescription() : "QEMU process " + process.pid() + " was still running";
        discard(vmId, process);

        String message = "QEMU launch for vm '" + vmId + "' failed at step '" + step + "': " + cause + "; " + exit
                + "; last QEMU output: " + process.lastLogLines(DIAGNOSTIC_LINES)
                + "; last console lines: " + console.lastLines(DIAGNOSTIC_LINES);
        throw new LaunchException(step, message, error);
    }

    private void discard(String vmId, QemuProcess process) throws InterruptedException {
        if (!process.kill(killWait)) {
            log.error("vm '{}': QEMU pid {} is still alive {} ms after SIGKILL", vmId, process.pid(),
                    killWait.toMillis());
        }
        for (Path socket : List.of(process.sockets().qmp(), process.sockets().console())) {
            try {
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                log.warn("vm '{}': cannot remove socket {}: {}", vmId, socket, e.toString());
            }
        }
    }

    private void info(String format, Object... arguments) {
        if (logLaunches) {
            log.info(format, arguments);
        } else {
            log.debug(format, arguments);
        }
    }

    @FunctionalInterface
    private interface LaunchStep<T> {
        T run() throws QmpException, IOException, InterruptedException;
    }
}
