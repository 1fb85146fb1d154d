package io.tangle.microvm.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A digest of what a job call requests: its job index, its caller and its raw arguments. Two
 * deliveries of one call have the same digest, wherever its event sat. A different call under the
 * same id after a reorganisation has another one, even with the same job on the same VM.
 */
public final class CallDigest {

    private CallDigest() {
    }

    /** Returns {@code sha256:} and the lowercase hex SHA-256 of the job index, the caller and the arguments. */
    public static String of(JobCall call) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
        sha256.update((byte) call.jobIndex());
        sha256.update(call.caller().getBytes(StandardCharsets.US_ASCII));
        sha256.update(call.inputs());
        return "sha256:" + HexFormat.of().formatHex(sha256.digest());
    }
}
