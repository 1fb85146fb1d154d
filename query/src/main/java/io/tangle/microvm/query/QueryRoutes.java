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

    private static final Pattern UNSIGNED_DECIMAL = Pattern.compile("[0-9]{1,20}");

    private final VmQuery vms;
    private final JobOutcomeStore outcomes;

    QueryRoutes(VmQuery vms, JobOutcomeStore outcomes) {
        this.vms = vms;
        this.outcomes = outcomes;
    }

    /** Returns the routes. The first whose pattern matches a path handles it. */
    List<Route> all() {
        return List.of(
                Route.get("/health", this::health),
                Route.get("/vms", this::listVms),
                Route.get("/vms/{vm_id}", this::getVm),
                Route.get("/vms/{vm_id}/snapshots", this::listSnapshots),
                Route.get("/jobs/{call_id}", this::getJob));
    }

    private QueryResponse health(Map<String, String> parameters) {
        return QueryResponse.text(200, "ok");
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
            return QueryResponse.error(400, "call_id '" + value + "' is invalid: expected an unsigned 64-bit decimal"
                    + " number");
        }

        return outcomes.find(callId)
                .map(outcome -> QueryResponse.json(200, JsonViews.Job.of(outcome)))
                .orElseGet(() -> QueryResponse.error(404, "job call " + Long.toUnsignedString(callId)
                        + " not found"));
    }

    /** Returns the upstream not-found body, the same text as the runtime's not-found error. */
    private static QueryResponse vmNotFound(String vmId) {
        return QueryResponse.error(404, "vm '" + vmId + "' not found");
    }
}
