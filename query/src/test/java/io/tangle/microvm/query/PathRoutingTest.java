package io.tangle.microvm.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PathRoutingTest {

    @Test
    void decoderSplitsBeforeDecoding() {
        assertThat(PathDecoder.segments("/vms/a%2Fb/snapshots")).containsExactly("vms", "a/b", "snapshots");
    }

    @Test
    void decoderKeepsEmptySegments() {
        assertThat(PathDecoder.segments("/")).containsExactly("");
        assertThat(PathDecoder.segments("/vms/")).containsExactly("vms", "");
        assertThat(PathDecoder.segments("/vms//x")).containsExactly("vms", "", "x");
    }

    @Test
    void decoderReadsMultiByteUtf8() {
        assertThat(PathDecoder.segments("/%E2%98%83")).containsExactly("\u2603");
    }

    @Test
    void decoderTreatsRawCharsAsRequestBytes() {
        // The UTF-8 bytes of 'é' as the JDK server hands them over, one char per byte.
        assertThat(PathDecoder.segments("/\u00c3\u00a9%21")).containsExactly("\u00e9!");
    }

    @Test
    void decoderRejectsMalformedEscape() {
        assertThatThrownBy(() -> PathDecoder.segments("/vms/a%zz"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path segment 'a%zz' has an invalid percent escape at character 1: expected '%' and two"
                        + " hex digits");
        assertThatThrownBy(() -> PathDecoder.segments("/vms/%4")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PathDecoder.segments("/vms/%")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void decoderRejectsInvalidUtf8() {
        assertThatThrownBy(() -> PathDecoder.segments("/vms/%C0%AF"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("path segment '%C0%AF' does not decode to valid UTF-8");
    }

    @Test
    void patternMatchesLiteralsAndNamesParameters() {
        PathPattern pattern = PathPattern.parse("/vms/{vm_id}/snapshots");

        assertThat(pattern.match(List.of("vms", "vm-1", "snapshots"))).contains(Map.of("vm_id", "vm-1"));
        assertThat(pattern.match(List.of("vms", "vm-1"))).isEmpty();
        assertThat(pattern.match(List.of("vms", "vm-1", "console"))).isEmpty();
        assertThat(pattern.match(List.of("vms", "", "snapshots"))).isEmpty();
    }

    @Test
    void patternWithoutParametersMatchesExactly() {
        PathPattern pattern = PathPattern.parse("/health");

        assertThat(pattern.match(List.of("health"))).contains(Map.of());
        assertThat(pattern.match(List.of("health", ""))).isEmpty();
        assertThat(pattern.match(List.of("Health"))).isEmpty();
    }

    @Test
    void patternMustBeAbsolute() {
        assertThatThrownBy(() -> PathPattern.parse("vms"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route template 'vms' must start with '/'");
    }
}
