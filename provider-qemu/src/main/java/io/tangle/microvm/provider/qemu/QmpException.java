package io.tangle.microvm.provider.qemu;

import java.io.IOException;

/** A failed QMP exchange. The subclass shows whether QEMU replied with an error, sent nothing or closed the connection. */
public abstract sealed class QmpException extends IOException
        permits QmpException.ErrorReply, QmpException.Timeout, QmpException.Disconnected {

    QmpException(String message, Throwable cause) {
        super(message, cause);
    }

    /** QEMU replied to a command with {@code {"error": {"class": ..., "desc": ...}}}. */
    public static final class ErrorReply extends QmpException {

        private final String command;
        private final String errorClass;
        private final String description;

        ErrorReply(String command, String errorClass, String description) {
            super("QMP command '" + command + "' failed: " + errorClass + ": " + description, null);
            this.command = command;
            this.errorClass = errorClass;
            this.description = description;
        }

        public String command() {
            return command;
        }

        public String errorClass() {
            return errorClass;
        }

        public String description() {
            return description;
        }
    }

    /** QEMU sent no reply, greeting or connection within the bound. */
    public static final class Timeout extends QmpException {

        Timeout(String message) {
            super(message, null);
        }
    }

    /** The QMP connection could not be opened, or it closed before the reply arrived. */
    public static final class Disconnected extends QmpException {

        Disconnected(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
