package io.tangle.microvm.chain;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Strict reader of ABI-encoded data as 32-byte words. Every read checks bounds and padding, and a
 * violation throws {@link MalformedLogException} naming the word, so malformed input never gets
 * past it as a wrong value.
 */
final class AbiWords {

    static final int WORD = 32;

    private final byte[] data;

    private AbiWords(byte[] data) {
        this.data = data;
    }

    /** Parses {@code 0x} hex; an empty string or {@code 0x} gives no words. */
    static AbiWords ofHex(String hex) throws MalformedLogException {
        if (hex == null) {
            throw new MalformedLogException("data is missing");
        }
        String digits = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        try {
            return new AbiWords(HexFormat.of().parseHex(digits));
        } catch (IllegalArgumentException e) {
            throw new MalformedLogException("data is not valid hex: " + e.getMessage(), e);
        }
    }

    static AbiWords of(byte[] data) {
        return new AbiWords(data.clone());
    }

    int length() {
        return data.length;
    }

    /** Reads word {@code index} as an unsigned integer that must fit in {@code bits} bits. */
    BigInteger uint(int index, int bits, String name) throws MalformedLogException {
        byte[] word = word(index, name);
        BigInteger value = new BigInteger(1, word);
        if (value.bitLength() > bits) {
            throw new MalformedLogException(name + " (word " + index + ") does not fit in uint" + bits + ": 0x" + value.toString(16));
        }
        return value;
    }

    /** Reads word {@code index} as an address: 12 zero bytes, then 20 address bytes. */
    String address(int index, String name) throws MalformedLogException {
        byte[] word = word(index, name);
        for (int i = 0; i < 12; i++) {
            if (word[i] != 0) {
                throw new MalformedLogException(name + " (word " + index + ") is not a left-padded address");
            }
        }
        return "0x" + HexFormat.of().formatHex(word, 12, WORD);
    }

    /** Reads the {@code bytes} value whose offset (from the start of the data) is in word {@code index}. */
    byte[] dynamicBytes(int index, String name) throws MalformedLogException {
        int start = offset(index, name);
        int length = lengthAt(start, name);
        if ((long) start + WORD + length > data.length) {
            throw new MalformedLogException(name + " claims " + length + " bytes at offset " + start
                    + " but the data has only " + data.length + " bytes");
        }
        return Arrays.copyOfRange(data, start + WORD, start + WORD + length);
    }

    /** Reads the {@code address[]} value whose offset is in word {@code index}. */
    List<String> addressArray(int index, String name) throws MalformedLogException {
        int start = offset(index, name);
        int count = lengthAt(start, name);
        if ((long) start + WORD + (long) count * WORD > data.length) {
            throw new MalformedLogException(name + " claims " + count + " entries at offset " + start
                    + " but the data has only " + data.length + " bytes");
        }
        AbiWords elements = new AbiWords(Arrays.copyOfRange(data, start + WORD, start + WORD + count * WORD));
        List<String> result = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            result.add(elements.address(i, name + "[" + i + "]"));
        }
        return result;
    }

    private int offset(int index, String name) throws MalformedLogException {
        BigInteger offset = sizeWord(index, name + " offset");
        if (offset.intValueExact() % WORD != 0) {
            throw new MalformedLogException(name + " offset " + offset + " is not a multiple of 32");
        }
        return offset.intValueExact();
    }

    private int lengthAt(int start, String name) throws MalformedLogException {
        if (start % WORD != 0 || (long) start + WORD > data.length) {
            throw new MalformedLogException(name + " offset " + start + " is outside the " + data.length + "-byte data");
        }
        return sizeWord(start / WORD, name + " length").intValueExact();
    }

    /** Reads an offset or length word, which must be below 2^31 to be addressable in the data. */
    private BigInteger sizeWord(int index, String name) throws MalformedLogException {
        BigInteger value = new BigInteger(1, word(index, name));
        if (value.bitLength() > 31) {
            throw new MalformedLogException(name + " (word " + index + ") is too large to be an offset or length: 0x" + value.toString(16));
        }
        return value;
    }

    private byte[] word(int index, String name) throws MalformedLogException {
        long end = (long) (index + 1) * WORD;
        if (index < 0 || end > data.length) {
            throw new MalformedLogException(name + " (word " + index + ") is outside the " + data.length + "-byte data");
        }
        return Arrays.copyOfRange(data, index * WORD, (int) end);
    }
}
