package io.tangle.microvm.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.tangle.microvm.runtime.inmemory.InMemoryVmProvider;
import io.tangle.microvm.store.InMemoryJobOutcomeStore;
import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.SubmissionRecord;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OperatorRoutesTest {

    private static final String TX = "0x" + "ab".repeat(32);

    private final InMemoryVmProvider provider = new InMemoryVmProvider();
    private final InMemoryJobOutcomeStore outcomes = new InMemoryJobOutcomeStore();
    private final AtomicBoolean caughtUp = new AtomicBoolean(false);
    private final HttpClient client = HttpClient.newHttpClient();
    private QueryServer server;

    @BeforeEach
    void startServer() {
        QuerySources sources = new QuerySources(
                () -> new QuerySources.Readiness(caughtUp.get(), caughtUp.get() ? "caught up" : "behind"),
                vmId -> vmId.equals("vm-1") ? Optional.of("MICROVM-READY\n") : Optional.empty(),
                callId -> callId == 3
                        ? Optional.of(new SubmissionRecord(3, SubmissionRecord.Status.SUBMITTED, TX, 1, null, Instant.EPOCH))
                        : Optional.empty());
        server = new QueryServer("127.0.0.1", 0, provider, outcomes, sources);
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://127.0.0.1:" + server.port() + path);
        return client.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readinessIs503WhileBehind() throws Exception {
        HttpResponse<String> response = get("/readyz");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.body()).isEqualTo("{\"ready\":false,\"reason\":\"behind\"}");
    }

    @Test
    void readinessIs200WhenCaughtUp() throws Exception {
        caughtUp.set(true);

        HttpResponse<String> response = get("/readyz");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"ready\":true,\"reason\":\"caught up\"}");
    }

    @Test
    void consoleReturnsTailAsText() throws Exception {
        provider.createVm("vm-1");

        HttpResponse<String> response = get("/vms/vm-1/console");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
        assertThat(response.body()).isEqualTo("MICROVM-READY\n");
    }

    @Test
    void consoleOfUnknownVmIs404() throws Exception {
        HttpResponse<String> response = get("/vms/nope/console");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error\":\"vm 'nope' not found\"}");
    }

    @Test
    void consoleOfVmWithoutOutputIs404() throws Exception {
        provider.createVm("vm-2");

        HttpResponse<String> response = get("/vms/vm-2/console");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("vm 'vm-2' has no console output");
    }

    @Test
    void jobShowsResultTransaction() throws Exception {
        outcomes.record(JobOutcome.succeeded(3, 0, "create_vm", "vm-1", Instant.EPOCH));

        HttpResponse<String> response = get("/jobs/3");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"call_id\":3,\"job_index\":0,\"job\":\"create_vm\",\"vm_id\":\"vm-1\","
                + "\"status\":\"succeeded\",\"submission\":\"submitted\",\"result_tx\":\"" + TX + "\","
                + "\"submission_attempts\":1}");
    }
}
