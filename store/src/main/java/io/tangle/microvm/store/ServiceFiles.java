package io.tangle.microvm.store;

import java.nio.file.Path;

/**
 * The files of one service under the data directory.
 *
 * @param directory {@code <dataDir>/services/<chainId>-<contract>-<serviceId>}
 * @param database the SQLite database; SQLite keeps its {@code -wal} and {@code -shm} files beside it
 * @param lockFile the file whose lock marks the directory as in use by one operator process
 */
record ServiceFiles(Path directory, Path database, Path lockFile) {

    static ServiceFiles of(Path dataDir, ServiceKey key) {
        Path directory = dataDir.resolve("services").resolve(key.directoryName());
        return new ServiceFiles(directory, directory.resolve("state.db"), directory.resolve("operator.lock"));
    }
}
