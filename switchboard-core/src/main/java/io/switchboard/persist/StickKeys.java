package io.switchboard.persist;

/**
 * Reading stick-table keys out of a request target.
 *
 * <p>Stateless; thread-safe.
 */
public final class StickKeys {
    private StickKeys() {}

    /**
     * The value of the first query parameter of this name in an origin-form target, as sent (not
     * percent-decoded: the same bytes give the same key); "" for a parameter without a value, null
     * when the target has no such parameter.
     */
    public static String queryParameter(String target, String name) {
        int q = target.indexOf('?');
        if (q < 0) return null;
        int end = target.indexOf('#', q);
        if (end < 0) end = target.length();
        int p = q + 1;
        while (p <= end) {
            int amp = target.indexOf('&', p);
            if (amp < 0 || amp > end) amp = end;
            int eq = target.indexOf('=', p);
            int nameEnd = eq < 0 || eq > amp ? amp : eq;
            if (nameEnd - p == name.length() && target.startsWith(name, p)) {
                return nameEnd == amp ? "" : target.substring(nameEnd + 1, amp);
            }
            p = amp + 1;
        }
        return null;
    }
}
