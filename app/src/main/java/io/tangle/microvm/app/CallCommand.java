package io.tangle.microvm.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tangle.microvm.app.config.ConfigException;
import io.tangle.microvm.app.dev.DevEnvFile;
import io.tangle.microvm.chain.ContractRevertException;
import io.tangle.microvm.chain.JobArguments;
import io.tangle.microvm.chain.JobResultEvent;
import io.tangle.microvm.chain.RpcException;
import io.tangle.microvm.chain.TangleError;
import io.tangle.microvm.chain.TransactionRejectedException;
import io.tangle.microvm.chain.local.JobClient;
import io.tangle.microvm.runtime.ResourceIds;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import org.web3j.utils.Numeric;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Submits one lifecycle job as the service owner and waits for its outcome: the result on chain
 * for a job that succeeded, or the operator's error from {@code GET /jobs/{call_id}} for one that
 * failed (a failed job sends nothing on chain).
 */
@Command(name = "call", mixinStandardHelpOptions = true,
        description = "Submit a job and wait for its outcome. JOB is one of: create-vm ID, start-vm ID, stop-vm ID, "
                + "snapshot-vm ID SNAPSHOT, destroy-vm ID, restore-vm ID SNAPSHOT.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:the job succeeded (or was submitted, with --no-wait)",
            "1:the job failed, or it was not submitted (the contract or the node rejected it)",
            "2:invalid arguments or settings",
            "3:no outcome within the timeout; the job may still run later"})
final class CallCommand implements Callable<Integer> {

    /** Exit code when no outcome came within the timeout: the job is still pending, not failed. */
    static final int EXIT_TIMEOUT = 3;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration POLL_INTERVAL = Duration.ofMillis(250);

    /** A job as the command line names it, with its on-chain index and argument count. */
    private enum JobName {
        CREATE_VM("create-vm", 0, 1),
        START_VM("start-vm", 1, 1),
        STOP_VM("stop-vm", 2, 1),
        SNAPSHOT_VM("snapshot-vm", 3, 2),
        DESTROY_VM("destroy-vm", 4, 1),
        RESTORE_VM("restore-vm", 5, 2);

        final String cli;
        final int index;
        final int arguments;

        JobName(String cli, int index, int arguments) {
            this.cli = cli;
            this.index = index;
            this.arguments = arguments;
        }

        String jobName() {
            return cli.replace('-', '_');
        }

        static JobName parse(String value) {
            for (JobName job : values()) {
                if (job.cli.equals(value)) {
                    return job;
                }
            }
            throw new ConfigException("unknown job '" + value + "': expected create-vm, start-vm, stop-vm, "
                    + "snapshot-vm, destroy-vm or restore-vm");
        }
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", description = "The job, such as create-vm.")
    String job;

    @Parameters(index = "1..*", paramLabel = "ARGS", description = "The VM id, and the snapshot id for snapshot-vm "
            + "and restore-vm.")
    List<String> arguments = List.of();

    @Option(names = "--data-dir", description = "Folder of the dev command, holding dev.env (default ${DEFAULT-VALUE}).",
            defaultValue = ".microvm-dev")
    Path dataDir;

    @Option(names = "--rpc-url", description = "JSON-RPC endpoint (default: HTTP_RPC_URL from dev.env).")
    String rpcUrl;

    @Option(names = "--contract", description = "Tangle contract address (default: TANGLE_CONTRACT from dev.env).")
    String contract;

    @Option(names = "--service-id", description = "Service id (default: SERVICE_ID from dev.env).")
    String serviceId;

    @Option(names = "--private-key", description = "Key of a permitted caller, 0x and 64 hex digits (default: "
            + "SERVICE_OWNER_PRIVATE_KEY from dev.env).")
    String privateKey;

    @Option(names = "--query-url", description = "Operator query API, for the error of a failed job (default: "
            + "http:// and MICROVM_QUERY_ADDR from dev.env).")
    String queryUrl;

    @Option(names = "--timeout-secs", description = "How long to wait for the outcome, in seconds (default "
            + "${DEFAULT-VALUE}).", defaultValue = "60")
    long timeoutSeconds;

    @Option(names = "--no-wait", description = "Print the call id and return without waiting.")
    boolean noWait;

    @Option(names = "--json", description = "Print one JSON object per line instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        quietLogs();
        if (timeoutSeconds < 1) {
            throw new ConfigException("invalid --timeout-secs " + timeoutSeconds + ": expected 1 or more seconds");
        }
        JobName jobName = JobName.parse(job);
        byte[] inputs = encodeArguments(jobName);
        Map<String, String> devEnv = readDevEnv();

        String rpc = setting(rpcUrl, devEnv, "HTTP_RPC_URL", "--rpc-url");
        String contractAddress = setting(contract, devEnv, "TANGLE_CONTRACT", "--contract");
        long service = parseServiceId(setting(serviceId, devEnv, "SERVICE_ID", "--service-id"));
        Credentials caller = credentials(setting(privateKey, devEnv, "SERVICE_OWNER_PRIVATE_KEY", "--private-key"));
        String query = queryUrl != null ? queryUrl
                : devEnv.containsKey("MICROVM_QUERY_ADDR") ? "http://" + devEnv.get("MICROVM_QUERY_ADDR") : null;

        Web3j web3j = Web3j.build(new HttpService(rpc));
        try {
            JobClient client = new JobClient(web3j, contractAddress, caller);
            JobClient.Submission submission;
            try {
                submission = client.submitJob(service, jobName.index, inputs);
            } catch (ContractRevertException e) {
                String hint = e.tangleError().filter(error -> error == TangleError.NOT_PERMITTED_CALLER).isPresent()
                        ? "; " + caller.getAddress() + " is not a permitted caller of service " + service + ": the service"
                                + " owner can add it with addPermittedCaller, or pass the key of a permitted caller with"
                                + " --private-key"
                        : "";
                return failSubmission("the contract rejected the job: " + e.getMessage() + hint);
            } catch (TransactionRejectedException e) {
                return failSubmission(e.getMessage());
            } catch (RpcException e) {
                return failSubmission("could not submit the job to " + rpc + ": " + e.getMessage());
            }
            printSubmitted(jobName, submission);
            if (noWait) {
                return 0;
            }
            return awaitOutcome(client, submission, query);
        } finally {
            web3j.shutdown();
        }
    }

    /** Keeps library INFO logs off the terminal: this command prints its own lines. */
    private static void quietLogs() {
        if (System.getenv("MICROVM_LOG_LEVEL") == null
                && LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }

    private byte[] encodeArguments(JobName jobName) {
        if (arguments.size() != jobName.arguments) {
            throw new ConfigException(jobName.cli + " takes " + (jobName.arguments == 1 ? "a VM id" : "a VM id and a "
                    + "snapshot id") + ", got " + arguments.size() + (arguments.size() == 1 ? " argument: " : " arguments: ")
                    + arguments);
        }
        try {
            ResourceIds.requireVmId(arguments.get(0));
            if (jobName.arguments == 1) {
                return JobArguments.encode(arguments.get(0));
            }
            ResourceIds.requireSnapshotId(arguments.get(1));
            return JobArguments.encode(arguments.get(0), arguments.get(1));
        } catch (ResourceIds.InvalidIdException e) {
            throw new ConfigException(e.getMessage() + "; nothing was submitted");
        }
    }

    private Map<String, String> readDevEnv() {
        Path file = dataDir.resolve(DevEnvFile.FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Map.of();
        }
        try {
            return DevEnvFile.read(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private String setting(String flag, Map<String, String> devEnv, String key, String flagName) {
        if (flag != null) {
            return flag;
        }
        String value = devEnv.get(key);
        if (value == null) {
            throw new ConfigException("missing " + flagName + ": no " + dataDir.toAbsolutePath().resolve(DevEnvFile.FILE_NAME)
                    + " with " + key + "; run 'bin/microvm-blueprint dev' first, run 'call' from the directory where dev"
                    + " runs or pass its folder with --data-dir, or pass " + flagName);
        }
        return value;
    }

    private static long parseServiceId(String value) {
        try {
            return new BigInteger(value).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new ConfigException("invalid --service-id '" + value + "': expected an unsigned 64-bit integer");
        }
    }

    private static Credentials credentials(String key) {
        if (!key.matches("(0x)?[0-9a-fA-F]{64}")) {
            throw new ConfigException("invalid --private-key: expected 0x and 64 hex digits");
        }
        return Credentials.create(key);
    }

    private int awaitOutcome(JobClient client, JobClient.Submission submission, String query) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        while (System.nanoTime() < deadline) {
            Optional<JobResultEvent> result = client.awaitResult(submission.serviceId(), submission.callId(),
                    submission.blockNumber(), Duration.ZERO);
            if (result.isPresent()) {
                printResult(result.get());
                return 0;
            }

            Optional<String> error = query == null ? Optional.empty() : failedJobError(http, query, submission.callId());
            if (error.isPresent()) {
                return failCall(submission.callId(), error.get());
            }
            Thread.sleep(POLL_INTERVAL);
        }
        return timedOut(submission.callId(), "no outcome within " + timeoutSeconds + " s; the job is still pending and"
                + " may run later. Is the operator running? Check " + (query == null ? "its log"
                        : query + "/jobs/" + Long.toUnsignedString(submission.callId())));
    }

    private int timedOut(long callId, String message) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (json) {
            out.println(JSON.createObjectNode()
                    .put("event", "job_pending")
                    .put("call_id", new BigInteger(Long.toUnsignedString(callId)))
                    .put("status", "pending")
                    .put("error", message));
            out.flush();
        } else {
            err.println("Job call " + Long.toUnsignedString(callId) + ": " + message);
            err.flush();
        }
        return EXIT_TIMEOUT;
    }

    /** Returns the operator's error when it recorded the call as failed. */
    private static Optional<String> failedJobError(HttpClient http, String query, long callId) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(query + "/jobs/" + Long.toUnsignedString(callId)))
                    .timeout(Duration.ofSeconds(2)).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode body = JSON.readTree(response.body());
            if ("failed".equals(body.path("status").asText())) {
                return Optional.of(body.path("error").asText());
            }
            return Optional.empty();
        } catch (IOException e) {
            // The operator may be starting or busy; the chain result or the deadline decides.
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private void printSubmitted(JobName jobName, JobClient.Submission submission) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode line = JSON.createObjectNode()
                    .put("event", "job_submitted")
                    .put("service_id", new BigInteger(Long.toUnsignedString(submission.serviceId())))
                    .put("job", jobName.index)
                    .put("job_name", jobName.jobName())
                    .put("call_id", new BigInteger(Long.toUnsignedString(submission.callId())))
                    .put("tx_hash", submission.transactionHash());
            out.println(line);
        } else {
            out.println("Submitted job " + jobName.jobName() + " to service " + Long.toUnsignedString(submission.serviceId())
                    + ". Call ID: " + Long.toUnsignedString(submission.callId()) + " (tx: " + submission.transactionHash() + ")");
        }
        out.flush();
    }

    private void printResult(JobResultEvent result) {
        PrintWriter out = spec.commandLine().getOut();
        String hex = Numeric.toHexString(result.result());
        if (json) {
            out.println(JSON.createObjectNode()
                    .put("event", "job_result")
                    .put("service_id", new BigInteger(Long.toUnsignedString(result.serviceId())))
                    .put("call_id", new BigInteger(Long.toUnsignedString(result.callId())))
                    .put("status", "succeeded")
                    .put("result", hex)
                    .put("operator", result.operator())
                    .put("tx_hash", result.transactionHash()));
        } else {
            out.println("Job call " + Long.toUnsignedString(result.callId()) + " succeeded: result " + hex
                    + " from operator " + result.operator() + " (tx: " + result.transactionHash() + ")");
        }
        out.flush();
    }

    private int failCall(long callId, String error) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (json) {
            out.println(JSON.createObjectNode()
                    .put("event", "job_failed")
                    .put("call_id", new BigInteger(Long.toUnsignedString(callId)))
                    .put("status", "failed")
                    .put("error", error));
            out.flush();
        } else {
            err.println("Job call " + Long.toUnsignedString(callId) + " failed: " + error);
            err.flush();
        }
        return 1;
    }

    /** Reports a job that did not reach the chain: as a {@code job_not_submitted} line with {@code --json}. */
    private int failSubmission(String error) {
        if (json) {
            PrintWriter out = spec.commandLine().getOut();
            out.println(JSON.createObjectNode()
                    .put("event", "job_not_submitted")
                    .put("error", error));
            out.flush();
        } else {
            PrintWriter err = spec.commandLine().getErr();
            err.println("microvm-blueprint call: " + error);
            err.flush();
        }
        return 1;
    }
}
