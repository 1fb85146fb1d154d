package io.tangle.microvm.jobs;

/**
 * Decodes the compact form that the {@code cargo-tangle} CLI writes for a struct or tuple of one
 * string: a field count of 1, then the string's byte length, then its UTF-8 bytes. Both counts use
 * the compact length prefix:
 *
 * <ul>
 *   <li>first byte below {@code 0x80}: the byte itself;
 *   <li>{@code 0x80} to {@code 0xBF}: 2 bytes, the low 6 bits of the first then the second;
 *   <li>{@code 0xC0} to {@code 0xDF}: 3 bytes, the low 5 bits of the first then 2 more;
 *   <li>{@code 0xE0} to {@code 0xEF}: 4 bytes, the low 4 bits of the first then 3 more;
 *   <li>{@code 0xF0} and above: the first byte is ignored and the next 4 bytes are the length.
 * </ul>
 *
 * <p>Like upstream, a field count written in a longer form than needed is accepted. Unlike
 * upstream, bytes after the string are an error rather than ignored.
 */
final class CompactStringDecoder {

    private CompactStringDecoder() {
    }

    static String decodeSingleStringTuple(byte[] input) throws InputFormatException {
        if (input.length == 0) {
            throw new InputFormatException("the input is empty");
        }

        long[] fieldCount = length(input, 0, "field count");
        if (fieldCount[0] != 1) {
            throw new InputFormatException("the field count is " + fieldCount[0] + ", expected 1");
        }

        int lengthAt = (int) fieldCount[1];
        long[] stringLength = length(input, lengthAt, "string length");
        long dataStart = lengthAt + stringLength[1];
        long dataEnd = dataStart + stringLength[0];
        if (dataEnd > input.length) {
            throw new InputFormatException("the string length at byte " + lengthAt + " is " + stringLength[0]
                    + ", but only " + (input.length - dataStart) + " bytes follow");
        }
        if (dataEnd < input.length) {
            throw new InputFormatException((input.length - dataEnd) + " unexpected bytes follow the string at byte "
                    + dataEnd);
        }
        return AbiStringDecoder.utf8(input, (int) dataStart, (int) stringLength[0], "the string at byte " + dataStart);
    }

    /** Returns {value, size in bytes} of the compact length at {@code at}. */
    private static long[] length(byte[] input, int at, String what) throws InputFormatException {
        if (at >= input.length) {
            throw new InputFormatException("the input ends before the " + what + " at byte " + at);
        }

        int first = input[at] & 0xFF;
        int size;
        long value;
        if (first < 0x80) {
            size = 1;
            value = first;
        } else if (first < 0xC0) {
            size = 2;
            value = first & 0x3F;
        } else if (first < 0xE0) {
            size = 3;
            value = first & 0x1F;
        } else if (first < 0xF0) {
            size = 4;
            value = first & 0x0F;
        } else {
            size = 5;
            value = 0;
        }

        if (at + size > input.length) {
            throw new InputFormatException("the " + size + "-byte " + what + " at byte " + at
                    + " runs past the end of the " + input.length + "-byte input");
        }
        for (int i = at + 1; i < at + size; i++) {
            value = (value << 8) | (input[i] & 0xFF);
        }
        return new long[] {value, size};
    }
}
