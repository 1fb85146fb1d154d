package io.tangle.microvm.app.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A small client for the operator's query API on 127.0.0.1. */
public final class QueryClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int port;

    public QueryClient(int port) {
        this.port = port;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public String body(String path) throws IOException, InterruptedException {
        return get(path).body();
    }

    /**
     * Returns the JSON body of a 200 reply, or empty for any other status.
     *
     * @throws IOException when the request fails or a 200 body is not JSON
     */
    public Optional<JsonNode> json(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        if (response.statusCode() != 200) {
            return Optional.empty();
        }
        return Optional.of(JSON.readTree(response.body()));
    }

    /**
     * Waits until {@code /readyz} reports the operator caught up with no call in flight, so every
     * call it has seen is finished and every result submission settled.
     */
    public void awaitIdle(Duration timeout) throws InterruptedException {
        Await.until("the operator caught up with no call in flight", timeout, () -> {
            HttpResponse<String> readiness = get("/readyz");
            return readiness.statusCode() == 200 && readiness.body().contains(" 0 calls in flight");
        });
    }
}
