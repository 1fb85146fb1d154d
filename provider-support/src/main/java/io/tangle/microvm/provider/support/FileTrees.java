package io.tangle.microvm.provider.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Recursive deletion that reports what it could not remove. */
final class FileTrees {

    private FileTrees() {
    }

    /**
     * Deletes {@code root} and everything below it, continuing past failures.
     *
     * @return the paths that could not be deleted, each with its error, or an empty list on success
     */
    static List<String> deleteTree(Path root) {
        List<String> failures = new ArrayList<>();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return failures;
        }
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            failures.add(root + " (" + e.getMessage() + ")");
            return failures;
        }
        for (Path path : paths) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                failures.add(path + " (" + e + ")");
            }
        }
        return failures;
    }
}
