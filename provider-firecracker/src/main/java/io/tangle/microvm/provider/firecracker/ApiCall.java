package io.tangle.microvm.provider.firecracker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One request to the Firecracker API.
 *
 * @param method the HTTP method, such as {@code PUT}
 * @param path the request path, such as {@code /machine-config}
 * @param body the JSON body, or {@code null} for none
 */
public record ApiCall(String method, String path, JsonNode body) {

    public ApiCall {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
    }

    @Override
    public String toString() {
        return method + " " + path;
    }
}
