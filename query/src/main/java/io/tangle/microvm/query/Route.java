package io.tangle.microvm.query;

import java.util.Map;

/** One GET route: a path pattern and the handler that builds its response. */
record Route(PathPattern pattern, Handler handler) {

    static Route get(String template, Handler handler) {
        return new Route(PathPattern.parse(template), handler);
    }

    /** Builds the response to a matched request from its decoded path parameters, by name. */
    @FunctionalInterface
    interface Handler {

        /**
         * @throws RuntimeException when a backend fails, which the server turns into a 500 with its message
         */
        QueryResponse handle(Map<String, String> parameters);
    }
}
