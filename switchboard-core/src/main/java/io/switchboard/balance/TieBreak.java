package io.switchboard.balance;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The round-robin cursor with which the scanning pickers (least-conn, least-traffic, fastest) break
 * ties: the scan ranks equal costs by {@link ScanKey#position}, starting at the cursor, and the winner
 * moves the cursor just past itself, so back ends of equal load take turns (HAProxy's leastconn does
 * the same). A picker built for a new snapshot takes over its predecessor's cursor, so a membership
 * change does not restart the turn at the first server.
 *
 * <p>Threading: lock-free. Any thread reads and writes the cursor with opaque accesses; racing picks
 * may both start from the same cursor and the later write wins, which at worst repeats one back end
 * for one tie, never picks a wrong one. A cursor at or past a smaller pool's size reads as 0.
 */
final class TieBreak {
    private static final VarHandle CURSOR;

    static {
        try {
            CURSOR = MethodHandles.lookup().findVarHandle(TieBreak.class, "cursor", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through CURSOR
    private int cursor;

    /** Where this pick's round starts, below n. */
    int start(int n) {
        int c = (int) CURSOR.getOpaque(this);
        return c < n ? c : 0;
    }

    /** The back end at {@code index} won a pick over n back ends. */
    void won(int index, int n) {
        CURSOR.setOpaque(this, ScanKey.next(index, n));
    }
}
