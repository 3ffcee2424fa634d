package io.switchboard.health;

/**
 * Rise/fall hysteresis of active health checks (HAProxy's {@code rise}/{@code fall}): a down back end
 * comes up after {@code rise} consecutive passes, an up one goes down after {@code fall}
 * consecutive failures. Pure decision; the caller owns one {@link Tracker} per back end.
 */
public record HealthPolicy(int rise, int fall) {
    public HealthPolicy {
        if (rise < 1 || fall < 1) throw new IllegalArgumentException("rise and fall must be >= 1");
    }

    /** Mutable per-back-end counters. Not thread-safe: owned by the pool's single writer. */
    public static final class Tracker {
        private boolean up;
        private int passes;
        private int failures;

        public Tracker(boolean up) {
            this.up = up;
        }

        public boolean up() { return up; }

        /** Records one probe result; returns true when this result flips the state. */
        public boolean observe(HealthPolicy policy, boolean ok) {
            if (ok) {
                failures = 0;
                passes++;
                if (!up && passes >= policy.rise()) {
                    up = true;
                    return true;
                }
            } else {
                passes = 0;
                failures++;
                if (up && failures >= policy.fall()) {
                    up = false;
                    return true;
                }
            }
            return false;
        }

        /** An independent tracker in the same state (the pool rolls back a failed batch with it). */
        public Tracker copy() {
            Tracker t = new Tracker(up);
            t.passes = passes;
            t.failures = failures;
            return t;
        }

        public void force(boolean up) {
            this.up = up;
            passes = 0;
            failures = 0;
        }
    }
}
