package io.tangle.microvm.query;

import io.tangle.microvm.runtime.VmQuery;
import io.tangle.microvm.store.JobOutcomeStore;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The route table of the query API. Every route is a read: the API never changes VM state. To add
 * a route, add one {@link Route#get} line to {@link #all} and a handler method.
 */
final class QueryRoutes {

    private static final int MAX_SHOWN_LENGTH = 80;
    private static final int SHOWN_PREFIX_LENGTH = 64;

    private static final Pattern UNSIGNED_DECIMAL = Pattern.compile("[0-9]{1,20}");

    private final VmQuery vms;
    private final JobOutcomeStore outcomes;
    private final QuerySources sources;

    QueryRoutes(VmQuery vms, JobOutcomeStore outcomes, QuerySources sources) {
        this.vms = vms;
        this.outcomes = outcomes;
        this.sources = sources;
    }

    /** Returns the routes. The first whose pattern matches a path handles it. */
    List<Route> all() {
        return List.of(
                Route.get("/health", this::health),
                Route.get("/readyz", this::readiness),
                Route.get("/vms", this::listVms),
                Route.get("/vms/{vm_id}", this::getVm),
                Route.get("/vms/{vm_id}/snapshots", this::listSnapshots),
                Route.get("/vms/{vm_id}/console", this::console),
                Route.get("/jobs/{call_id}", this::getJob));
    }

    private QueryResponse health(Map<String, String> parameters) {
        return QueryResponse.text(200, "ok");
    }

    /** Returns 200 when the operator is caught up with the chain and 503 otherwise, with the reason. */
    private QueryResponse readiness(Map<String, String> parameters) {
        QuerySources.Readiness readiness = sources.readiness().check();
        return QueryResponse.json(readiness.ready() ? 200 : 503, readiness);
    }

    private QueryResponse console(Map<String, String> parameters) {
        String vmId = parameters.get("vm_id");
        if (vms.getVm(vmId).isEmpty()) {
            return vmNotFound(vmId);
        }
        return sources.consoles().consoleTail(vmId)
                .map(text -> QueryResponse.text(200, text))
                .orElseGet(() -> QueryResponse.error(404, "vm '" + shown(vmId) + "' has no console output: its provider keeps"
                        + " none, or the guest has not booted"));
    }

    private QueryResponse listVms(Map<String, String> parameters) {
        return QueryResponse.json(200, vms.listVms().stream().map(JsonViews.Vm::of).toList());
    }

    private QueryResponse getVm(Map<String, String> parameters) {
        String vmId = parameters.get("vm_id");
        return vms.getVm(vmId)
                .map(view -> QueryResponse.json(200, JsonViews.Vm.of(view)))
                .orElseGet(() -> vmNotFound(vmId));
    }

    private QueryResponse listSnapshots(Map<String, String> parameters) {
        String vmId = parameters.get("vm_id");
        return vms.listSnapshots(vmId)
                .map(snapshots -> QueryResponse.json(200, snapshots))
                .orElseGet(() -> vmNotFound(vmId));
    }

    private QueryResponse getJob(Map<String, String> parameters) {
        String value = parameters.get("call_id");
        long callId;
        try {
            if (!UNSIGNED_DECIMAL.matcher(value).matches()) {
                throw new NumberFormatException(value);
            }
            callId = Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            return QueryResponse.error(400, "call_id '" + shown(value) + "' is invalid: expected an unsigned 64-bit decimal"
                    + " number");
        }

        return outcomes.find(callId)
                .map(outcome -> QueryResponse.json(200,
                        JsonViews.Job.of(outcome, sources.submissions().findSubmission(callId).orElse(null))))
                .orElseGet(() -> QueryResponse.error(404, "job call " + Long.toUnsignedString(callId)
                        + " not found"));
    }

    /** Returns the upstream not-found body, the same text as the runtime's not-found error. */
    private static QueryResponse vmNotFound(String vmId) {
        return QueryResponse.error(404, "vm '" + shown(vmId) + "' not found");
    }

    /**
     * Returns a value from the request path for an error message: whole up to 80 characters, else
     * its first 64 and its length, so that a huge path does not come back in full.
     */
    static String shown(String value) {
        if (value.length() <= MAX_SHOWN_LENGTH) {
            return value;
        }
        return value.substring(0, SHOWN_PREFIX_LENGTH) + "... (" + value.length() + " characters)";
    }
}
