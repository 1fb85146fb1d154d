package io.tangle.microvm.provider.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Argument builders and reply readers for the QMP commands the provider uses. */
final class QmpCommands {

    private static final JsonNodeFactory NODES = new ObjectMapper().getNodeFactory();

    private QmpCommands() {
    }

    /** Arguments of {@code migrate-set-capabilities} that turn on {@code MIGRATION} events. */
    static ObjectNode migrationEventsOn() {
        ObjectNode capability = NODES.objectNode();
        capability.put("capability", "events");
        capability.put("state", true);
        ArrayNode capabilities = NODES.arrayNode();
        capabilities.add(capability);
        ObjectNode arguments = NODES.objectNode();
        arguments.set("capabilities", capabilities);
        return arguments;
    }

    /** Arguments of {@code migrate} to {@code uri}. */
    static ObjectNode migrate(String uri) {
        ObjectNode arguments = NODES.objectNode();
        arguments.put("uri", uri);
        return arguments;
    }

    /** Reads the run state from a {@code query-status} reply, such as {@code running} or {@code paused}. */
    static String runState(JsonNode queryStatusReturn) {
        return queryStatusReturn.path("status").asText("unknown");
    }

    /** Reads the migration status from a {@code query-migrate} reply; {@code none} when absent. */
    static String migrationStatus(JsonNode queryMigrateReturn) {
        return queryMigrateReturn.path("status").asText("none");
    }

    /** Reads the error text of a failed migration from a {@code query-migrate} reply. */
    static String migrationError(JsonNode queryMigrateReturn) {
        return queryMigrateReturn.path("error-desc").asText("");
    }
}
