package io.tangle.microvm.query;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A route path such as {@code /vms/{vm_id}/snapshots}: literal segments and named parameters,
 * each parameter matching exactly one non-empty decoded segment.
 */
record PathPattern(String template, List<String> segments) {

    static PathPattern parse(String template) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("route template '" + template + "' must start with '/'");
        }
        return new PathPattern(template, List.of(template.substring(1).split("/", -1)));
    }

    /** Returns the parameters by name when {@code path} (decoded segments) matches, otherwise empty. */
    Optional<Map<String, String>> match(List<String> path) {
        if (path.size() != segments.size()) {
            return Optional.empty();
        }

        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < segments.size(); i++) {
            String expected = segments.get(i);
            String actual = path.get(i);
            if (isParameter(expected)) {
                if (actual.isEmpty()) {
                    return Optional.empty();
                }
                parameters.put(expected.substring(1, expected.length() - 1), actual);
            } else if (!expected.equals(actual)) {
                return Optional.empty();
            }
        }
        return Optional.of(parameters);
    }

    private static boolean isParameter(String segment) {
        return segment.length() > 2 && segment.startsWith("{") && segment.endsWith("}");
    }
}
