package io.tangle.microvm.chain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class JobArgumentsTest {

    @Test
    void oneStringIsFlatEncoded() {
        byte[] encoded = JobArguments.encode("vm-1");

        assertThat(HexFormat.of().formatHex(encoded)).isEqualTo(
                word("20") + word("04") + "766d2d31" + "00".repeat(28));
    }

    @Test
    void twoStringsAreFlatEncoded() {
        byte[] encoded = JobArguments.encode("vm-1", "snap-1");

        assertThat(HexFormat.of().formatHex(encoded)).isEqualTo(
                word("40") + word("80") + word("04") + "766d2d31" + "00".repeat(28) + word("06") + "736e61702d31" + "00".repeat(26));
    }

    @Test
    void emptyStringIsOffsetAndZeroLength() {
        assertThat(HexFormat.of().formatHex(JobArguments.encode(""))).isEqualTo(word("20") + word("00"));
    }

    @Test
    void lengthCountsUtf8Bytes() {
        byte[] encoded = JobArguments.encode("é");

        assertThat(HexFormat.of().formatHex(encoded, 32, 64)).isEqualTo(word("02"));
    }

    private static String word(String hexValue) {
        return "0".repeat(64 - hexValue.length()) + hexValue;
    }
}
