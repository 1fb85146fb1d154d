package io.tangle.microvm.provider.firecracker;

/**
 * A reply of the Firecracker API.
 *
 * @param status the HTTP status code
 * @param body the body decoded as UTF-8, empty for {@code 204 No Content}
 */
public record ApiResponse(int status, String body) {

    public boolean isSuccess() {
        return status >= 200 && status <= 299;
    }
}
