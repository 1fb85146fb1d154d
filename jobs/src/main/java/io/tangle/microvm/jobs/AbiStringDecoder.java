package io.tangle.microvm.jobs;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a tuple of {@code string} values from Solidity ABI bytes, in the two layouts the
 * upstream extractor tries.
 *
 * <ul>
 *   <li>Outer-offset, what {@code abi.encode((a, b))} and Rust's {@code (a, b).abi_encode()}
 *       produce: one word pointing at the tuple, then the tuple's head of offsets relative to
 *       the tuple's start.
 *   <li>Flat, what {@code abi.encode(a, b)} produces: the head of offsets starts at byte 0.
 * </ul>
 *
 * <p>Every offset and length word must have zero high bytes and point inside the input, as the
 * upstream decoder requires. This decoder is stricter than upstream in three ways, none of which
 * affects what Solidity's own encoder produces. The padding after each string must be present and
 * zero. Strings must be valid UTF-8, where upstream replaces bad sequences. No bytes may follow
 * the end of the last string.
 */
final class AbiStringDecoder {

    static final int WORD = 32;

    private AbiStringDecoder() {
    }

    /** Decodes {@code count} strings in the outer-offset layout. */
    static List<String> decodeOuter(byte[] input, int count) throws InputFormatException {
        Reader reader = new Reader(input);
        int tupleStart = reader.offsetWord(0, "tuple offset");
        return reader.strings(tupleStart, count);
    }

    /** Decodes {@code count} strings in the flat layout. */
    static List<String> decodeFlat(byte[] input, int count) throws InputFormatException {
        return new Reader(input).strings(0, count);
    }

    /** Reads words from the input and remembers how far into it the encoding reaches. */
    private static final class Reader {

        private final byte[] input;
        private int end;

        Reader(byte[] input) {
            this.input = input;
        }

        List<String> strings(int headStart, int count) throws InputFormatException {
            List<String> values = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int headWord = headStart + i * WORD;
                int stringStart = addOffset(headStart, offsetWord(headWord, "offset of string " + (i + 1)), headWord);
                values.add(string(stringStart, i + 1));
            }

            if (end < input.length) {
                throw new InputFormatException((input.length - end) + " unexpected bytes follow the end of the"
                        + " encoding at byte " + end);
            }
            return values;
        }

        /**
         * Reads the word at {@code at} as an offset or length. The value must fit the input, which
         * is far below 2^31, so every byte but the last four must be zero.
         */
        int offsetWord(int at, String what) throws InputFormatException {
            if (at > input.length - WORD) {
                throw new InputFormatException("the " + what + " at byte " + at + " needs 32 bytes, but the input"
                        + " ends at byte " + input.length);
            }
            end = Math.max(end, at + WORD);

            for (int i = at; i < at + WORD - 4; i++) {
                if (input[i] != 0) {
                    throw new InputFormatException("the " + what + " at byte " + at + " is too large to be an"
                            + " offset or length into a " + input.length + "-byte input");
                }
            }
            long value = ByteBuffer.wrap(input, at + WORD - 4, 4).getInt() & 0xFFFF_FFFFL;
            if (value > input.length) {
                throw new InputFormatException("the " + what + " at byte " + at + " is " + value
                        + ", past the end of the " + input.length + "-byte input");
            }
            return (int) value;
        }

        private int addOffset(int base, int offset, int wordAt) throws InputFormatException {
            long target = (long) base + offset;
            if (target > input.length) {
                throw new InputFormatException("the offset at byte " + wordAt + " points to byte " + target
                        + ", past the end of the " + input.length + "-byte input");
            }
            return (int) target;
        }

        private String string(int start, int position) throws InputFormatException {
            int length = offsetWord(start, "length of string " + position);
            int dataStart = start + WORD;
            long paddedEnd = dataStart + roundUpToWord(length);
            if (paddedEnd > input.length) {
                throw new InputFormatException("string " + position + " at byte " + start + " declares " + length
                        + " bytes, but its data and padding run past the end of the " + input.length
                        + "-byte input");
            }

            for (int i = dataStart + length; i < paddedEnd; i++) {
                if (input[i] != 0) {
                    throw new InputFormatException("the padding after string " + position + " has a non-zero byte"
                            + " at byte " + i);
                }
            }
            end = Math.max(end, (int) paddedEnd);
            return utf8(input, dataStart, length, "string " + position + " at byte " + start);
        }

        private static long roundUpToWord(long length) {
            return (length + WORD - 1) / WORD * WORD;
        }
    }

    /** Decodes UTF-8 strictly: malformed sequences are an error, not replaced. */
    static String utf8(byte[] input, int start, int length, String what) throws InputFormatException {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(input, start, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new InputFormatException(what + " is not valid UTF-8");
        }
    }
}
