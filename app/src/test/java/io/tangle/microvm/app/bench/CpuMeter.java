package io.tangle.microvm.app.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Reads the CPU time (user plus system) used so far by this JVM and by its Anvil child process on
 * a given port, so a benchmark can show where the CPU of the shared cores went.
 */
final class CpuMeter {

    /** CPU time in nanoseconds at one moment; {@code anvilNanos} is -1 when the process was not found. */
    record Sample(long jvmNanos, long anvilNanos) {

        /** Returns the CPU used between {@code earlier} and this sample. */
        Sample since(Sample earlier) {
            long anvil = anvilNanos < 0 || earlier.anvilNanos < 0 ? -1 : anvilNanos - earlier.anvilNanos;
            return new Sample(jvmNanos - earlier.jvmNanos, anvil);
        }
    }

    private final int anvilPort;

    CpuMeter(int anvilPort) {
        this.anvilPort = anvilPort;
    }

    Sample sample() {
        return new Sample(cpuNanos(ProcessHandle.current()), anvil().map(CpuMeter::cpuNanos).orElse(-1L));
    }

    private Optional<ProcessHandle> anvil() {
        String port = Integer.toString(anvilPort);
        return ProcessHandle.current().children()
                .filter(child -> {
                    List<String> arguments = List.of(child.info().arguments().orElse(new String[0]));
                    int index = arguments.indexOf("--port");
                    return index >= 0 && index + 1 < arguments.size() && arguments.get(index + 1).equals(port);
                })
                .findFirst();
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }
}
