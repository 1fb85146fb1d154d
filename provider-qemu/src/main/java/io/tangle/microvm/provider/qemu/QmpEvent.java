package io.tangle.microvm.provider.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Instant;
import java.util.Objects;

/**
 * An asynchronous QMP event, such as {@code STOP}, {@code RESUME}, {@code SHUTDOWN} or
 * {@code MIGRATION}.
 *
 * @param name the event name
 * @param data the event's {@code data} member, or a JSON null when it has none
 * @param timestamp QEMU's timestamp of the event
 */
public record QmpEvent(String name, JsonNode data, Instant timestamp) {

    public QmpEvent {
        Objects.requireNonNull(name, "name");
        data = data == null ? NullNode.getInstance() : data;
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** Returns the text of a member of {@code data}, or an empty string when it is missing. */
    public String dataText(String field) {
        JsonNode value = data.get(field);
        return value == null || value.isNull() ? "" : value.asText();
    }
}
