package io.tangle.microvm.query;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Splits a raw request path into segments and percent-decodes each one as UTF-8. The path is split
 * before decoding, so {@code %2F} stays inside its segment, and {@code +} stays a plus sign as it
 * does in paths.
 */
final class PathDecoder {

    private PathDecoder() {
    }

    /**
     * Returns the decoded segments of {@code rawPath}, which starts with {@code /}.
     *
     * @throws IllegalArgumentException on a bad percent escape or bytes that are not UTF-8
     */
    static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.substring(1).split("/", -1)) {
            segments.add(decode(raw));
        }
        return segments;
    }

    private static String decode(String segment) {
        if (segment.indexOf('%') < 0) {
            return segment;
        }

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c != '%') {
                // The JDK server reads the request line one byte per char, so a char up to 0xFF
                // is a raw byte of the request.
                if (c <= 0xFF) {
                    bytes.write(c);
                } else {
                    bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                }
                continue;
            }
            if (i + 2 >= segment.length() || !HexFormat.isHexDigit(segment.charAt(i + 1))
                    || !HexFormat.isHexDigit(segment.charAt(i + 2))) {
                throw new IllegalArgumentException("path segment '" + segment + "' has an invalid percent escape at"
                        + " character " + i + ": expected '%' and two hex digits");
            }
            bytes.write(HexFormat.fromHexDigits(segment, i + 1, i + 3));
            i += 2;
        }

        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("path segment '" + segment + "' does not decode to valid UTF-8");
        }
    }
}
