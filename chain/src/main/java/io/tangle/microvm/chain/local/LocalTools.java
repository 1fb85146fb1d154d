package io.tangle.microvm.chain.local;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project root and the development tools that {@code scripts/install-tools.sh} installs
 * into its {@code .tools} folder.
 */
public final class LocalTools {

    /** System property naming the project root; the build sets it for tests. */
    public static final String ROOT_PROPERTY = "microvm.root";

    static final String TOOLS_DIRECTORY = ".tools";
    static final String ANVIL_RELATIVE_PATH = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

    private LocalTools() {
    }

    /**
     * Returns the project root: the {@code microvm.root} system property if set, else the nearest
     * folder at or above the working directory that contains {@code .tools}.
     *
     * @throws IllegalStateException if neither gives a folder
     */
    public static Path projectRoot() {
        String property = System.getProperty(ROOT_PROPERTY);
        if (property != null && !property.isBlank()) {
            Path root = Path.of(property).toAbsolutePath().normalize();
            if (!Files.isDirectory(root)) {
                throw new IllegalStateException("system property " + ROOT_PROPERTY + " names " + root + ", which is not a folder");
            }
            return root;
        }
        Path directory = Path.of("").toAbsolutePath();
        while (directory != null) {
            if (Files.isDirectory(directory.resolve(TOOLS_DIRECTORY))) {
                return directory;
            }
            directory = directory.getParent();
        }
        throw new IllegalStateException("cannot find the project root: no folder at or above " + Path.of("").toAbsolutePath()
                + " contains " + TOOLS_DIRECTORY + "; run scripts/install-tools.sh in the project, or set -D" + ROOT_PROPERTY + "=<project root>");
    }

    /**
     * Returns the Anvil binary under {@code <projectRoot>/.tools}.
     *
     * @throws IllegalStateException if it is missing or not executable
     */
    public static Path anvilBinary(Path projectRoot) {
        Path binary = projectRoot.resolve(TOOLS_DIRECTORY).resolve(ANVIL_RELATIVE_PATH);
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException("Anvil is not installed at " + binary + "; run "
                    + projectRoot.resolve("scripts/install-tools.sh") + " to install it");
        }
        return binary;
    }
}
