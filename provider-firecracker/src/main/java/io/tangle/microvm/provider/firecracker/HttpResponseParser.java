package io.tangle.microvm.provider.firecracker;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Collects the bytes of one HTTP/1.1 response and decides when it is complete: after
 * {@code Content-Length} body bytes, at once for {@code 204} and {@code 304} without that
 * header, and otherwise at the end of the stream, which is how a server that sends
 * {@code Connection: close} without a length ends the body. Chunked transfer coding is rejected,
 * because Firecracker never uses it.
 */
final class HttpResponseParser {

    /** Largest response accepted. Firecracker's replies are JSON documents of a few KiB. */
    static final int MAX_RESPONSE_BYTES = 1 << 20;

    private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private int headerLength = -1;
    private int status;
    private long contentLength = -1;
    private boolean untilEndOfStream;

    /** Adds received bytes and returns whether the response is complete. */
    boolean feed(ByteBuffer bytes) throws ProtocolException {
        received.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        if (received.size() > MAX_RESPONSE_BYTES) {
            throw new ProtocolException("the response exceeds " + MAX_RESPONSE_BYTES + " bytes");
        }
        if (headerLength < 0) {
            parseHeaderIfComplete();
        }
        return isComplete();
    }

    /**
     * Handles the end of the stream and returns the response.
     *
     * @throws ProtocolException when the stream ended before the response was complete
     */
    ApiResponse finishAtEndOfStream() throws ProtocolException {
        if (headerLength < 0) {
            throw new ProtocolException("the connection closed after " + received.size()
                    + " bytes, before the response header was complete");
        }
        if (untilEndOfStream) {
            return response();
        }
        if (!isComplete()) {
            throw new ProtocolException("the connection closed after " + bodyBytes() + " of " + contentLength
                    + " body bytes");
        }
        return response();
    }

    /** Returns the response. Call it only after {@link #feed} returned true. */
    ApiResponse response() {
        byte[] all = received.toByteArray();
        int bodyLength = untilEndOfStream ? all.length - headerLength : (int) contentLength;
        String body = new String(all, headerLength, bodyLength, StandardCharsets.UTF_8);
        return new ApiResponse(status, body);
    }

    private boolean isComplete() {
        return headerLength >= 0 && !untilEndOfStream && bodyBytes() >= contentLength;
    }

    private long bodyBytes() {
        return received.size() - headerLength;
    }

    private void parseHeaderIfComplete() throws ProtocolException {
        byte[] all = received.toByteArray();
        int end = indexOf(all, HEADER_END);
        if (end < 0) {
            return;
        }
        String[] lines = new String(all, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        status = parseStatusLine(lines[0]);
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("invalid header line '" + lines[i] + "'");
            }
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        headerLength = end + HEADER_END.length;

        if (headers.containsKey("transfer-encoding")) {
            throw new ProtocolException("Transfer-Encoding '" + headers.get("transfer-encoding")
                    + "' is not supported; Firecracker sends Content-Length");
        }
        String length = headers.get("content-length");
        if (length != null) {
            contentLength = parseContentLength(length);
        } else if (status == 204 || status == 304) {
            contentLength = 0;
        } else {
            untilEndOfStream = true;
        }
    }

    private static int parseStatusLine(String line) throws ProtocolException {
        String[] parts = line.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new ProtocolException("invalid status line '" + line + "'");
        }
        try {
            int code = Integer.parseInt(parts[1]);
            if (code >= 100 && code <= 599) {
                return code;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new ProtocolException("invalid status code in '" + line + "'");
    }

    private static long parseContentLength(String value) throws ProtocolException {
        try {
            long length = Long.parseLong(value);
            if (length >= 0 && length <= MAX_RESPONSE_BYTES) {
                return length;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new ProtocolException("invalid Content-Length '" + value + "': expected 0 to " + MAX_RESPONSE_BYTES);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            boolean match = true;
            for (int j = 0; j < needle.length && match; j++) {
                match = haystack[i + j] == needle[j];
            }
            if (match) {
                return i;
            }
        }
        return -1;
    }

    /** A response that is not valid HTTP/1.1 as this parser reads it. */
    static final class ProtocolException extends Exception {

        ProtocolException(String message) {
            super(message);
        }
    }
}
