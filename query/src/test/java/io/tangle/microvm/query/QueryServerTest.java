package io.tangle.microvm.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tangle.microvm.runtime.VmQuery;
import io.tangle.microvm.runtime.VmStatus;
import io.tangle.microvm.runtime.VmView;
import io.tangle.microvm.runtime.inmemory.InMemoryVmProvider;
import io.tangle.microvm.store.InMemoryJobOutcomeStore;
import io.tangle.microvm.store.JobOutcome;
import io.tangle.microvm.store.JobOutcomeStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryServerTest {

    private static final Instant AT = Instant.parse("2026-03-04T05:06:07Z");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();

    private final InMemoryVmProvider vms = new InMemoryVmProvider();
    private final InMemoryJobOutcomeStore outcomes = new InMemoryJobOutcomeStore();
    private final List<QueryServer> servers = new ArrayList<>();

    @AfterEach
    void closeServers() {
        servers.forEach(QueryServer::close);
    }

    @AfterAll
    static void closeClient() {
        CLIENT.close();
    }

    @Test
    void healthIsPlainOk() throws Exception {
        HttpResponse<String> response = get(start(), "/health");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok");
        assertThat(response.headers().firstValue("Content-Type")).contains("text/plain; charset=utf-8");
    }

    @Test
    void emptyVmListIsEmptyArray() throws Exception {
        HttpResponse<String> response = get(start(), "/vms");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("[]");
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    }

    @Test
    void vmListIsSortedAndIncludesDestroyed() throws Exception {
        vms.createVm("vm-b");
        vms.createVm("vm-a");
        vms.startVm("vm-a");
        vms.snapshotVm("vm-a", "s1");
        vms.createVm("vm-c");
        vms.destroyVm("vm-c");

        HttpResponse<String> response = get(start(), "/vms");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("[{\"vm_id\":\"vm-a\",\"status\":\"running\",\"snapshots\":[\"s1\"]},"
                + "{\"vm_id\":\"vm-b\",\"status\":\"created\",\"snapshots\":[]},"
                + "{\"vm_id\":\"vm-c\",\"status\":\"destroyed\",\"snapshots\":[]}]");
    }

    @Test
    void vmObjectHasUpstreamFieldsOnly() throws Exception {
        vms.createVm("vm-1");
        vms.snapshotVm("vm-1", "s1");
        vms.destroyVm("vm-1");

        HttpResponse<String> response = get(start(), "/vms/vm-1");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"vm_id\":\"vm-1\",\"status\":\"destroyed\",\"snapshots\":[\"s1\"]}");
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    }

    @Test
    void vmObjectAddsOwnerAndDetailWhenKnown() throws Exception {
        VmView view = new VmView("vm-1", VmStatus.STOPPED, List.of(), "0x" + "ab".repeat(20), "guest exited: \"oom\"");
        QueryServer server = start(fixedQuery(view), outcomes);

        HttpResponse<String> response = get(server, "/vms/vm-1");

        assertThat(response.body()).isEqualTo("{\"vm_id\":\"vm-1\",\"status\":\"stopped\",\"snapshots\":[],"
                + "\"owner\":\"0x" + "ab".repeat(20) + "\",\"detail\":\"guest exited: \\\"oom\\\"\"}");
    }

    @Test
    void vmObjectAddsDetailWithoutOwner() throws Exception {
        QueryServer server = start(fixedQuery(new VmView("vm-1", VmStatus.STOPPED, List.of(), null, "paused")),
                outcomes);

        assertThat(get(server, "/vms/vm-1").body())
                .isEqualTo("{\"vm_id\":\"vm-1\",\"status\":\"stopped\",\"snapshots\":[],\"detail\":\"paused\"}");
    }

    @Test
    void unknownVmIsNotFound() throws Exception {
        HttpResponse<String> response = get(start(), "/vms/ghost");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error\":\"vm 'ghost' not found\"}");
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    }

    @Test
    void snapshotsAreListedInCreationOrder() throws Exception {
        vms.createVm("vm-1");
        vms.snapshotVm("vm-1", "s2");
        vms.snapshotVm("vm-1", "s1");
        vms.createVm("vm-2");
        QueryServer server = start();

        HttpResponse<String> listed = get(server, "/vms/vm-1/snapshots");
        HttpResponse<String> empty = get(server, "/vms/vm-2/snapshots");

        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(listed.body()).isEqualTo("[\"s2\",\"s1\"]");
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body()).isEqualTo("[]");
    }

    @Test
    void snapshotsOfUnknownVmAreNotFound() throws Exception {
        HttpResponse<String> response = get(start(), "/vms/ghost/snapshots");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error\":\"vm 'ghost' not found\"}");
    }

    @Test
    void pathParameterIsPercentDecoded() throws Exception {
        vms.createVm("vm-1");
        QueryServer server = start();

        assertThat(get(server, "/vms/vm%2D1").statusCode()).isEqualTo(200);
        assertThat(get(server, "/vms/%76m-1/snapshots").body()).isEqualTo("[]");
        assertThat(get(server, "/vms/a%2Fb").body()).isEqualTo("{\"error\":\"vm 'a/b' not found\"}");
        assertThat(get(server, "/vms/a%20b").body()).isEqualTo("{\"error\":\"vm 'a b' not found\"}");
        assertThat(get(server, "/vms/a+b").body()).isEqualTo("{\"error\":\"vm 'a+b' not found\"}");
        assertThat(get(server, "/vms/%C3%A9").body()).isEqualTo("{\"error\":\"vm '\u00e9' not found\"}");
    }

    @Test
    void hostileVmIdsAreNotFound() throws Exception {
        QueryServer server = start();

        assertThat(get(server, "/vms/..%2F..%2Fetc").body()).isEqualTo("{\"error\":\"vm '../../etc' not found\"}");
        assertThat(get(server, "/vms/%00").body()).isEqualTo("{\"error\":\"vm '\\u0000' not found\"}");
        assertThat(get(server, "/vms/vm-ok/snapshots/../../x").body())
                .isEqualTo("{\"error\":\"no route for /vms/vm-ok/snapshots/../../x\"}");
    }

    @Test
    void longVmIdIsNotFoundAndShortened() throws Exception {
        String id = "a".repeat(100_000);

        HttpResponse<String> response = get(start(), "/vms/" + id);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body())
                .isEqualTo("{\"error\":\"vm '" + "a".repeat(64) + "... (100000 characters)' not found\"}");
    }

    @Test
    void longUnknownPathIsShortened() throws Exception {
        String path = "/" + "c".repeat(50_000);

        HttpResponse<String> response = get(start(), path);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error\":\"no route for /" + "c".repeat(63) + "... (50001 characters)\"}");
    }

    @Test
    void vmIdOfEightyCharactersIsShownWhole() throws Exception {
        String id = "b".repeat(80);

        assertThat(get(start(), "/vms/" + id).body()).isEqualTo("{\"error\":\"vm '" + id + "' not found\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/vms/%ff", "/vms/%C3", "/vms/%C3%28", "/vms/%ED%A0%80"})
    void invalidUtf8InPathIsBadRequest(String path) throws Exception {
        HttpResponse<String> response = get(start(), path);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"path segment '" + path.substring(5)
                + "' does not decode to valid UTF-8\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/vms/%zz", "/vms/%4", "/vms/ok/snapshots%"})
    void malformedPercentEscapeIsBadRequest(String path) throws Exception {
        // java.net.URI rejects these, so the request is written by hand. The JDK server returns
        // 400 itself, with its own HTML body, before any handler runs.
        String response = rawGet(start(), path);

        assertThat(response).startsWith("HTTP/1.1 400 ");
    }

    @Test
    void succeededJobIsShown() throws Exception {
        outcomes.record(JobOutcome.succeeded(5, 0, "create_vm", "vm-1", AT));

        HttpResponse<String> response = get(start(), "/jobs/5");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body())
                .isEqualTo("{\"call_id\":5,\"job_index\":0,\"job\":\"create_vm\",\"vm_id\":\"vm-1\",\"status\":\"succeeded\"}");
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    }

    @Test
    void failedJobShowsError() throws Exception {
        outcomes.record(JobOutcome.failed(6, 2, "stop_vm", "vm-1", "invalid vm transition for 'vm-1': created -> stopped",
                AT));

        assertThat(get(start(), "/jobs/6").body()).isEqualTo("{\"call_id\":6,\"job_index\":2,\"job\":\"stop_vm\","
                + "\"vm_id\":\"vm-1\",\"status\":\"failed\","
                + "\"error\":\"invalid vm transition for 'vm-1': created -> stopped\"}");
    }

    @Test
    void jobWithoutVmIdOmitsIt() throws Exception {
        outcomes.record(JobOutcome.failed(7, 0, "create_vm", null, "create_vm: bad input", AT));

        assertThat(get(start(), "/jobs/7").body()).isEqualTo("{\"call_id\":7,\"job_index\":0,\"job\":\"create_vm\","
                + "\"status\":\"failed\",\"error\":\"create_vm: bad input\"}");
    }

    @Test
    void largestCallIdIsUnsigned() throws Exception {
        outcomes.record(JobOutcome.succeeded(-1, 4, "destroy_vm", "vm-1", AT));

        HttpResponse<String> response = get(start(), "/jobs/18446744073709551615");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).startsWith("{\"call_id\":18446744073709551615,");
    }

    @Test
    void unknownJobIsNotFound() throws Exception {
        HttpResponse<String> response = get(start(), "/jobs/5");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error\":\"job call 5 not found\"}");
    }

    @Test
    void leadingZerosAreTheSameCallId() throws Exception {
        outcomes.record(JobOutcome.succeeded(5, 0, "create_vm", "vm-1", AT));

        assertThat(get(start(), "/jobs/0005").statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "%2B5", "1.5", "18446744073709551616", "99999999999999999999", "0x10",
        "123456789012345678901"})
    void invalidCallIdIsBadRequest(String value) throws Exception {
        HttpResponse<String> response = get(start(), "/jobs/" + value);

        String decoded = value.replace("%2B", "+");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).isEqualTo("{\"error\":\"call_id '" + decoded
                + "' is invalid: expected an unsigned 64-bit decimal number\"}");
    }

    @Test
    void failingProviderGivesServerError() throws Exception {
        VmQuery broken = new VmQuery() {
            @Override
            public List<VmView> listVms() {
                throw new IllegalStateException("backend unavailable");
            }

            @Override
            public Optional<VmView> getVm(String vmId) {
                throw new IllegalStateException("backend unavailable for " + vmId);
            }
        };
        QueryServer server = start(broken, outcomes);

        HttpResponse<String> list = get(server, "/vms");
        HttpResponse<String> one = get(server, "/vms/vm-1");
        HttpResponse<String> snapshots = get(server, "/vms/vm-1/snapshots");

        assertThat(list.statusCode()).isEqualTo(500);
        assertThat(list.body()).isEqualTo("{\"error\":\"backend unavailable\"}");
        assertThat(one.statusCode()).isEqualTo(500);
        assertThat(one.body()).isEqualTo("{\"error\":\"backend unavailable for vm-1\"}");
        assertThat(snapshots.statusCode()).isEqualTo(500);
        assertThat(get(server, "/health").statusCode()).isEqualTo(200);
    }

    @Test
    void failingStoreGivesServerError() throws Exception {
        JobOutcomeStore broken = new JobOutcomeStore() {
            @Override
            public void record(JobOutcome outcome) {
            }

            @Override
            public Optional<JobOutcome> find(long callId) {
                throw new UncheckedIOException(new IOException("database is locked"));
            }

            @Override
            public boolean replace(long callId, String reason) {
                return false;
            }
        };

        HttpResponse<String> response = get(start(vms, broken), "/jobs/1");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(response.body()).isEqualTo("{\"error\":\"java.io.IOException: database is locked\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nope", "/", "/vms/", "/health/", "/vms/vm-1/snapshots/s1", "/jobs", "/jobs/",
        "/vms//snapshots", "/VMS"})
    void unknownPathIsNotFound(String path) throws Exception {
        HttpResponse<String> response = get(start(), path);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).isEqualTo("{\"error\":\"no route for " + path + "\"}");
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
    void otherMethodsAreNotAllowed(String method) throws Exception {
        vms.createVm("vm-1");
        QueryServer server = start();

        for (String path : List.of("/vms", "/vms/vm-1", "/health", "/jobs/1", "/nope")) {
            HttpRequest request = HttpRequest.newBuilder(uri(server, path))
                    .method(method, HttpRequest.BodyPublishers.ofString("{\"vm_id\":\"vm-2\"}"))
                    .timeout(TIMEOUT)
                    .build();

            HttpResponse<String> response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());

            assertThat(response.statusCode()).as("%s %s", method, path).isEqualTo(405);
            assertThat(response.headers().firstValue("Allow")).as("%s %s", method, path).contains("GET, HEAD");
            assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(response.body()).isEqualTo("{\"error\":\"method " + method
                    + " is not allowed: the query API is read-only and accepts GET and HEAD only\"}");
        }
        assertThat(vms.listVms()).extracting(VmView::vmId).containsExactly("vm-1");
    }

    @Test
    void headAnswersLikeGetWithoutBody() throws Exception {
        vms.createVm("vm-1");
        QueryServer server = start();

        for (String path : List.of("/health", "/vms/vm-1", "/vms/nope")) {
            HttpRequest request = HttpRequest.newBuilder(uri(server, path))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .timeout(TIMEOUT)
                    .build();

            HttpResponse<String> head = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> get = get(server, path);

            assertThat(head.statusCode()).as("HEAD %s", path).isEqualTo(get.statusCode());
            assertThat(head.headers().firstValue("Content-Type")).as("HEAD %s", path)
                    .isEqualTo(get.headers().firstValue("Content-Type"));
            assertThat(head.body()).as("HEAD %s", path).isEmpty();
        }
    }

    @Test
    void unavailableSourceGives503WithReason() throws Exception {
        VmQuery starting = new VmQuery() {
            @Override
            public List<VmView> listVms() {
                throw new QueryUnavailableException("the operator is starting (waiting for the RPC endpoint)");
            }

            @Override
            public Optional<VmView> getVm(String vmId) {
                throw new QueryUnavailableException("the operator is starting (waiting for the RPC endpoint)");
            }
        };
        QueryServer server = start(starting, outcomes);

        HttpResponse<String> list = get(server, "/vms");
        HttpResponse<String> health = get(server, "/health");

        assertThat(list.statusCode()).isEqualTo(503);
        assertThat(list.body()).isEqualTo("{\"error\":\"the operator is starting (waiting for the RPC endpoint)\"}");
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void queryStringIsIgnored() throws Exception {
        assertThat(get(start(), "/health?verbose=1").body()).isEqualTo("ok");
    }

    @Test
    void concurrentRequestsAreAnswered() throws Exception {
        for (int i = 0; i < 20; i++) {
            vms.createVm("vm-" + i);
        }
        QueryServer server = start();

        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            HttpRequest request = HttpRequest.newBuilder(uri(server, "/vms/vm-" + (i % 20))).timeout(TIMEOUT).build();
            responses.add(CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }

        for (int i = 0; i < responses.size(); i++) {
            HttpResponse<String> response = responses.get(i).get(10, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"vm_id\":\"vm-" + (i % 20) + "\",\"status\":\"created\","
                    + "\"snapshots\":[]}");
        }
    }

    @Test
    void slowRequestDoesNotBlockOthers() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        VmQuery slow = new VmQuery() {
            @Override
            public List<VmView> listVms() {
                return List.of();
            }

            @Override
            public Optional<VmView> getVm(String vmId) {
                entered.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Optional.of(new VmView(vmId, VmStatus.RUNNING, List.of()));
            }
        };
        QueryServer server = start(slow, outcomes);

        CompletableFuture<HttpResponse<String>> blocked = CLIENT.sendAsync(
                HttpRequest.newBuilder(uri(server, "/vms/vm-1")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

        try {
            assertThat(get(server, "/vms").body()).isEqualTo("[]");
            assertThat(blocked).isNotDone();
        } finally {
            release.countDown();
        }
        assertThat(blocked.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void portBeforeStartIsRejected() {
        QueryServer server = new QueryServer("127.0.0.1", 0, vms, outcomes);

        assertThatThrownBy(server::port)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("query API server has no port: it was never started");
    }

    @Test
    void startTwiceIsRejected() {
        QueryServer server = start();

        assertThatThrownBy(server::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("query API server cannot start: it is started");
    }

    @Test
    void closedServerStopsAnsweringAndCannotRestart() throws Exception {
        QueryServer server = start();
        URI health = uri(server, "/health");

        server.close();
        server.close();

        assertThatThrownBy(() -> CLIENT.send(HttpRequest.newBuilder(health).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        assertThatThrownBy(server::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("query API server cannot start: it is closed");
    }

    @Test
    void portInUseFailsStart() {
        QueryServer first = start();
        QueryServer second = new QueryServer("127.0.0.1", first.port(), vms, outcomes);
        servers.add(second);

        assertThatThrownBy(second::start)
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("could not bind the query API to 127.0.0.1:" + first.port() + ": ");
    }

    @Test
    void portOutOfRangeIsRejected() {
        assertThatThrownBy(() -> new QueryServer("127.0.0.1", 65_536, vms, outcomes))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("query API port 65536 is out of range: expected 0 to 65535");
    }

    private QueryServer start() {
        return start(vms, outcomes);
    }

    private QueryServer start(VmQuery query, JobOutcomeStore store) {
        QueryServer server = new QueryServer("127.0.0.1", 0, query, store);
        servers.add(server);
        server.start();
        return server;
    }

    private static VmQuery fixedQuery(VmView view) {
        return new VmQuery() {
            @Override
            public List<VmView> listVms() {
                return List.of(view);
            }

            @Override
            public Optional<VmView> getVm(String vmId) {
                return vmId.equals(view.vmId()) ? Optional.of(view) : Optional.empty();
            }
        };
    }

    private static URI uri(QueryServer server, String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** Sends one GET with {@code path} written as is and returns the whole response as text. */
    private static String rawGet(QueryServer server, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            String request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static HttpResponse<String> get(QueryServer server, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri(server, path)).timeout(TIMEOUT).GET().build();
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
