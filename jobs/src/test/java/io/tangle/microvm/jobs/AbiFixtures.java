package io.tangle.microvm.jobs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/** Test-side encoders for the three input layouts, written independently of the decoder. */
final class AbiFixtures {

    private AbiFixtures() {
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("[\\s|]", ""));
    }

    static String toHex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** Returns {@code abi.encode(a, b, ...)}: a head of offsets from byte 0, then each string. */
    static byte[] flat(String... values) {
        return tuple(values);
    }

    /** Returns {@code abi.encode((a, b, ...))}: one word pointing at the tuple, then the tuple. */
    static byte[] outer(String... values) {
        return concat(word(32), tuple(values));
    }

    /** Returns the compact form of a one-string tuple: field count 1, length, UTF-8 bytes. */
    static byte[] compact(String value) {
        byte[] data = value.getBytes(StandardCharsets.UTF_8);
        return concat(compactLength(1), compactLength(data.length), data);
    }

    static byte[] compactLength(long n) {
        if (n < 0x80) {
            return new byte[] {(byte) n};
        }
        if (n < 0x4000) {
            return new byte[] {(byte) (0x80 | (n >> 8)), (byte) n};
        }
        if (n < 0x20_0000) {
            return new byte[] {(byte) (0xC0 | (n >> 16)), (byte) (n >> 8), (byte) n};
        }
        if (n < 0x1000_0000) {
            return new byte[] {(byte) (0xE0 | (n >> 24)), (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        }
        return new byte[] {(byte) 0xF0, (byte) (n >> 24), (byte) (n >> 16), (byte) (n >> 8), (byte) n};
    }

    static byte[] word(long value) {
        byte[] word = new byte[32];
        for (int i = 0; i < 8; i++) {
            word[31 - i] = (byte) (value >>> (8 * i));
        }
        return word;
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] tuple(String... values) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        int headSize = 32 * values.length;
        for (String value : values) {
            head.writeBytes(word(headSize + tail.size()));
            byte[] data = value.getBytes(StandardCharsets.UTF_8);
            tail.writeBytes(word(data.length));
            tail.writeBytes(data);
            tail.writeBytes(new byte[(32 - data.length % 32) % 32]);
        }
        return concat(head.toByteArray(), tail.toByteArray());
    }
}
