package io.tangle.microvm.app.bench;

import io.tangle.microvm.app.config.OperatorConfig;
import io.tangle.microvm.app.config.OperatorConfigLoader;
import io.tangle.microvm.app.config.RunOptions;
import io.tangle.microvm.app.operator.Operator;
import io.tangle.microvm.app.testing.OperatorEnvironment;
import io.tangle.microvm.app.testing.QueryClient;
import io.tangle.microvm.chain.local.LocalDeployment;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Starts operators for benchmarks the way {@code OperatorEndToEndTest} does, in this JVM. */
final class BenchOperators {

    /** System property that sets the operators' result batch size; unset means the operator's default. */
    static final String RESULT_BATCH_SIZE_PROPERTY = "bench.resultBatchSize";

    private BenchOperators() {
    }

    /**
     * Starts an operator for the deployment's first operator key with its state under {@code dir}.
     * The environment is {@link OperatorEnvironment#forDeployment}'s (in-memory provider, 100 ms
     * poll interval, ephemeral query port), then {@code MICROVM_RESULT_BATCH_SIZE} from the system
     * property {@code bench.resultBatchSize} when it is set, then {@code overrides}.
     */
    static Operator start(LocalDeployment deployment, Path dir, Map<String, String> overrides)
            throws IOException, InterruptedException {
        Map<String, String> env = new HashMap<>(OperatorEnvironment.forDeployment(deployment, deployment.operator(), dir));
        String batchSize = System.getProperty(RESULT_BATCH_SIZE_PROPERTY);
        if (batchSize != null) {
            env.put("MICROVM_RESULT_BATCH_SIZE", batchSize);
        }
        env.putAll(overrides);
        OperatorConfig config = OperatorConfigLoader.load(RunOptions.none(), env);
        return Operator.start(config);
    }

    /** Waits until {@code GET /readyz} reports the operator caught up with the chain head. */
    static void awaitReady(Operator operator, Duration timeout) throws IOException, InterruptedException {
        QueryClient query = new QueryClient(operator.queryPort());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            HttpResponse<String> response = query.get("/readyz");
            if (response.statusCode() == 200) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                throw new IllegalStateException("operator not ready within " + timeout.toMillis() + " ms: "
                        + response.body());
            }
            Thread.sleep(50);
        }
    }
}
