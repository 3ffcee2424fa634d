package io.switchboard.app.dsr;

/** Why a table could not be written; the message is for people and says what to do. Nothing was applied. */
public final class DsrException extends Exception {
    public DsrException(String message) {
        super(message);
    }
}
