package io.tangle.microvm.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A complete HTTP response: status, content type, body and extra headers.
 *
 * @param headers headers besides {@code Content-Type}, such as {@code Allow}
 */
record QueryResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";

    /** Shared by every request: an {@link ObjectMapper} is thread-safe once configured. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    QueryResponse {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        headers = Map.copyOf(headers);
    }

    static QueryResponse text(int status, String body) {
        return new QueryResponse(status, TEXT, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** Serializes {@code value} with Jackson. */
    static QueryResponse json(int status, Object value) {
        try {
            return new QueryResponse(status, JSON, MAPPER.writeValueAsBytes(value), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not serialize a " + value.getClass().getSimpleName()
                    + " response: " + e.getOriginalMessage(), e);
        }
    }

    /** Returns {@code {"error": message}} with {@code status}. */
    static QueryResponse error(int status, String message) {
        return json(status, new ErrorBody(message));
    }

    QueryResponse withHeader(String name, String value) {
        Map<String, String> more = new HashMap<>(headers);
        more.put(name, value);
        return new QueryResponse(status, contentType, body, more);
    }

    /** The error body: exactly one field, as upstream. */
    record ErrorBody(String error) {
    }
}
