package io.tangle.microvm.app.dev;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code dev.env} file: {@code KEY=VALUE} lines that a shell can source with
 * {@code set -a; . dev.env} and that {@code call} reads back. Values are restricted to characters
 * that need no quoting, so both readers agree on every value.
 */
public final class DevEnvFile {

    public static final String FILE_NAME = "dev.env";

    private static final Pattern KEY = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Pattern SAFE_VALUE = Pattern.compile("[A-Za-z0-9_./:,@+-]*");

    private DevEnvFile() {
    }

    /** Writes the entries atomically with owner-only permissions, since the file contains private keys. */
    public static void write(Path file, Map<String, String> entries) {
        StringBuilder text = new StringBuilder("# Written by 'microvm-blueprint dev'. Load with: set -a; . ")
                .append(file.getFileName()).append("; set +a\n");
        entries.forEach((key, value) -> {
            if (!KEY.matcher(key).matches() || !SAFE_VALUE.matcher(value).matches()) {
                throw new IllegalArgumentException("dev.env entry " + key + " has characters that would need shell quoting");
            }
            text.append(key).append('=').append(value).append('\n');
        });

        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".dev.env", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temp, text);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads the entries; blank lines and {@code #} comments are skipped. */
    public static Map<String, String> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }

            int equals = line.indexOf('=');
            if (equals <= 0) {
                throw new IOException(file + " line " + (i + 1) + " is not KEY=VALUE: " + line);
            }
            entries.put(line.substring(0, equals), line.substring(equals + 1));
        }
        return entries;
    }
}
