package io.tangle.microvm.jobs;

/** One decoding attempt failed. The message names the position in the input and the reason. */
final class InputFormatException extends Exception {

    InputFormatException(String message) {
        super(message, null, false, false);
    }
}
