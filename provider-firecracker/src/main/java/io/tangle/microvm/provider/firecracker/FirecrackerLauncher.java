package io.tangle.microvm.provider.firecracker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts Firecracker processes: one configured for a cold boot ({@code machine-config},
 * {@code boot-source}, root drive), or one that loaded a snapshot and runs it. A launch that
 * fails kills its process, removes its socket and throws a {@link LaunchException} with the exit
 * status and Firecracker's last output.
 */
final class FirecrackerLauncher {

    private static final Logger log = LoggerFactory.getLogger(FirecrackerLauncher.class);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DIAGNOSTIC_LINES = 5;
    private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(5);
    private static final Duration MAX_RETRY_DELAY = Duration.ofMillis(100);
    /** How long a failed launch waits for a process that already exits, so its status is known. */
    private static final Duration EXIT_STATUS_WAIT = Duration.ofMillis(200);

    private final FirecrackerConfig config;

    FirecrackerLauncher(FirecrackerConfig config) {
        this.config = config;
    }

    /** Starts Firecracker and configures the machine. The guest boots later, at {@code InstanceStart}. */
    FirecrackerProcess startConfigured(String vmId, VmPaths paths, int slot, MachineSpec machine)
            throws LaunchException, InterruptedException {
        Instant started = Instant.now();
        FirecrackerProcess process = launch(vmId, paths, slot);

        call(vmId, process, "configure the machine", FirecrackerRequests.machineConfig(machine), config.apiTimeout());
        call(vmId, process, "set the boot source", FirecrackerRequests.bootSource(machine), config.apiTimeout());
        call(vmId, process, "attach the root drive", FirecrackerRequests.rootDrive(machine), config.apiTimeout());

        log.info("vm '{}': Firecracker pid {} configured in {} ms ({} vCPU, {} MiB, rootfs {}{})", vmId, process.pid(),
                Duration.between(started, Instant.now()).toMillis(), machine.vcpuCount(), machine.memSizeMib(),
                machine.rootfs(), machine.rootfsReadOnly() ? ", read-only" : "");
        return process;
    }

    /** Starts Firecracker, loads the snapshot and checks that the VM runs. */
    FirecrackerProcess startFromSnapshot(String vmId, VmPaths paths, int slot, SnapshotInfo snapshot)
            throws LaunchException, InterruptedException {
        Instant started = Instant.now();
        FirecrackerProcess process = launch(vmId, paths, slot);

        call(vmId, process, "load the snapshot",
                FirecrackerRequests.loadSnapshot(snapshot.state().path(), snapshot.memory().path()),
                config.snapshotTimeout());
        String state = call(vmId, process, "check the restored state", FirecrackerRequests.describeInstance(),
                config.apiTimeout()).path("state").asText("");
        if (!"Running".equals(state)) {
            fail(vmId, process, "check the restored state", "the instance state is '" + state
                    + "' after loading with resume_vm, expected 'Running'", null);
        }

        log.info("vm '{}': Firecracker pid {} restored snapshot '{}' in {} ms", vmId, process.pid(), snapshot.name(),
                Duration.between(started, Instant.now()).toMillis());
        return process;
    }

    /** Sends {@code InstanceStart}, and kills the process when it fails, because its state is then unknown. */
    void instanceStart(String vmId, FirecrackerProcess process) throws LaunchException, InterruptedException {
        call(vmId, process, "start the instance", FirecrackerRequests.instanceStart(), config.apiTimeout());
    }

    private FirecrackerProcess launch(String vmId, VmPaths paths, int slot) throws LaunchException, InterruptedException {
        Path socket = paths.socket(slot);
        prepareSocket(vmId, paths, socket);

        FirecrackerProcess process;
        try {
            process = FirecrackerProcess.spawn(vmId, config.binary(), socket, slot, paths.dir(), paths.vmmLog());
        } catch (IOException e) {
            throw new LaunchException("start Firecracker", "cannot start Firecracker for vm '" + vmId + "' with "
                    + config.binary() + ": " + e.getMessage() + "; check " + FirecrackerConfig.BIN, e);
        }
        log.info("vm '{}': started Firecracker pid {} with API socket {}", vmId, process.pid(), socket);

        awaitApi(vmId, process);
        return process;
    }

    /**
     * Waits until the API replies to {@code GET /}, retrying while the socket does not exist or
     * does not accept yet, and each probe bounded by the API timeout. The wait ends at once when
     * the process exits, so a Firecracker that dies at start is reported with its exit status
     * instead of a timeout.
     */
    private void awaitApi(String vmId, FirecrackerProcess process) throws LaunchException, InterruptedException {
        Duration timeout = config.socketReadyTimeout();
        Instant deadline = Instant.now().plus(timeout);
        Duration delay = FIRST_RETRY_DELAY;
        FirecrackerApiException lastError = null;
        while (true) {
            if (!process.isAlive()) {
                fail(vmId, process, "wait for the API socket", "Firecracker exited before its API answered", null);
            }
            Duration remaining = Duration.between(Instant.now(), deadline);
            if (remaining.isNegative() || remaining.isZero()) {
                fail(vmId, process, "wait for the API socket", "the API did not answer GET / within "
                        + timeout.toMillis() + " ms (" + FirecrackerConfig.SOCKET_READY_TIMEOUT_MS + ")"
                        + (lastError == null ? "" : "; last error: " + lastError.getMessage()), lastError);
            }

            try {
                process.api().send(FirecrackerRequests.describeInstance(), min(config.apiTimeout(), remaining));
                return;
            } catch (FirecrackerApiException e) {
                lastError = e;
                log.debug("vm '{}' (pid {}): API not ready yet, retrying: {}", vmId, process.pid(), e.getMessage());
            }

            waitForExit(process, min(delay, Duration.between(Instant.now(), deadline)));
            delay = min(delay.multipliedBy(2), MAX_RETRY_DELAY);
        }
    }

    /** Waits up to {@code wait}, returning early when the process exits. */
    private static void waitForExit(FirecrackerProcess process, Duration wait) throws InterruptedException {
        if (wait.isNegative() || wait.isZero()) {
            return;
        }
        try {
            process.exitFuture().get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // The process still runs: the next probe follows.
        }
    }

    /**
     * Refuses to start when a live process listens on the socket, because that process would
     * lose its API socket. Removes a socket file that no process listens on: Firecracker leaves it
     * behind when it exits and cannot bind over it.
     */
    private static void prepareSocket(String vmId, VmPaths paths, Path socket) throws LaunchException {
        try {
            FirecrackerSocketDir.prepare(paths.socketDir(), paths.stateDir());
        } catch (IOException e) {
            throw new LaunchException("prepare the API socket", "cannot prepare the API socket of vm '" + vmId + "': "
                    + e.getMessage(), e);
        }
        if (!Files.exists(socket)) {
            return;
        }
        if (UnixSockets.isListening(socket)) {
            throw new LaunchException("prepare the API socket", "socket " + socket + " of vm '" + vmId
                    + "' is in use by a live process; refusing to start a second Firecracker for the same VM", null);
        }
        try {
            Files.deleteIfExists(socket);
            log.info("vm '{}': removed stale API socket {}", vmId, socket);
        } catch (IOException e) {
            throw new LaunchException("prepare the API socket", "cannot remove stale API socket " + socket + " of vm '"
                    + vmId + "': " + e.getMessage(), e);
        }
    }

    /** Sends one call and returns its JSON body, or an empty node for a reply without one. */
    private JsonNode call(String vmId, FirecrackerProcess process, String step, ApiCall call, Duration timeout)
            throws LaunchException, InterruptedException {
        try {
            ApiResponse response = process.api().send(call, timeout);
            return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        } catch (FirecrackerApiException | IOException e) {
            fail(vmId, process, step, e.getMessage(), e);
            throw new AssertionError("fail() always throws");
        } catch (InterruptedException e) {
            discard(vmId, process);
            throw e;
        }
    }

    /** Kills the process, removes its socket and throws a {@link LaunchException} with diagnostics. */
    private void fail(String vmId, FirecrackerProcess process, String step, String cause, Throwable error)
            throws LaunchException, InterruptedException {
        boolean exitedByItself = !process.isAlive() && process.awaitExit(EXIT_STATUS_WAIT);
        String exit = exitedByItself ? process.exitDescription()
                : "Firecracker process " + process.pid() + " was still running and was killed";
        discard(vmId, process);

        String message = "Firecracker launch for vm '" + vmId + "' failed at step '" + step + "': " + cause + "; "
                + exit + "; last Firecracker output: " + process.lastLogLines(DIAGNOSTIC_LINES);
        throw new LaunchException(step, message, error);
    }

    private void discard(String vmId, FirecrackerProcess process) throws InterruptedException {
        if (!process.kill(config.stopTimeout())) {
            log.error("vm '{}': Firecracker pid {} is still alive {} ms after SIGKILL", vmId, process.pid(),
                    config.stopTimeout().toMillis());
        }
        process.deleteSocket();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
