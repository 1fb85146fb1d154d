package io.tangle.microvm.provider.firecracker;

import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The fault hooks of the fake Firecracker, read from its environment at start. The wrapper
 * script of {@link FakeFirecrackerSetup} sources a hooks file before it starts the fake, so a test
 * sets them per launch.
 *
 * <p>Step names: {@code describe}, {@code machine-config}, {@code boot-source}, {@code drive},
 * {@code instance-start}, {@code ctrl-alt-del}, {@code pause}, {@code resume},
 * {@code snapshot-create}, {@code snapshot-load}.
 *
 * @param logFile where every request and validation failure is appended as a JSON line, or
 *     {@code null} ({@value #LOG})
 * @param failSteps steps that get a 400 reply with an injected fault message ({@value #FAIL}). A
 *     failing {@code snapshot-create} writes partial files first
 * @param hangSteps steps that never get a reply ({@value #HANG}). The API serves one request at
 *     a time, as Firecracker's does, so later requests hang as well
 * @param exitOnCtrlAltDel whether {@code SendCtrlAltDel} makes the process exit, as a guest booted
 *     with {@code reboot=k} does ({@value #CTRL_ALT_DEL} = {@code exit}). By default it is accepted
 *     and ignored, as by a guest without a keyboard driver
 * @param exitAtStart an exit status to end with at once, after printing a line to stderr, or -1
 *     ({@value #EXIT_AT_START})
 * @param noSocket whether to run without ever creating the API socket ({@value #NO_SOCKET})
 * @param socketDelayMillis how long to wait before creating the socket ({@value #SOCKET_DELAY_MS})
 */
record FakeFaults(String logFile, Set<String> failSteps, Set<String> hangSteps, boolean exitOnCtrlAltDel,
        int exitAtStart, boolean noSocket, long socketDelayMillis) {

    static final String LOG = "FAKE_FIRECRACKER_LOG";
    static final String FAIL = "FAKE_FIRECRACKER_FAIL";
    static final String HANG = "FAKE_FIRECRACKER_HANG";
    static final String CTRL_ALT_DEL = "FAKE_FIRECRACKER_CTRL_ALT_DEL";
    static final String EXIT_AT_START = "FAKE_FIRECRACKER_EXIT_AT_START";
    static final String NO_SOCKET = "FAKE_FIRECRACKER_NO_SOCKET";
    static final String SOCKET_DELAY_MS = "FAKE_FIRECRACKER_SOCKET_DELAY_MS";
    /** Read by the wrapper script, which then starts the fake with SIGTERM ignored. */
    static final String IGNORE_SIGTERM = "FAKE_FIRECRACKER_IGNORE_SIGTERM";

    static FakeFaults fromEnvironment(Map<String, String> env) {
        return new FakeFaults(
                env.get(LOG),
                steps(env.get(FAIL)),
                steps(env.get(HANG)),
                "exit".equals(env.get(CTRL_ALT_DEL)),
                Integer.parseInt(env.getOrDefault(EXIT_AT_START, "-1")),
                "1".equals(env.get(NO_SOCKET)),
                Long.parseLong(env.getOrDefault(SOCKET_DELAY_MS, "0")));
    }

    private static Set<String> steps(String value) {
        if (value == null || value.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(step -> !step.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }
}
