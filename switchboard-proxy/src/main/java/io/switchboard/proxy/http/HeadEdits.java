package io.switchboard.proxy.http;

import io.switchboard.config.HeaderEdit;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Changes to one message head that routes and persistence ask for (HAProxy's {@code set-header},
 * {@code add-header}, {@code del-header}, {@code set-path}): fields removed by name, fields added,
 * and for requests a new target. {@link HeadWriter} applies them while it copies the head, so a
 * request without edits costs nothing more than a null check.
 *
 * <p>Fields that frame the message or that the proxy writes itself ({@link #PROTECTED}) cannot be
 * edited: an edit of {@code Content-Length} would desynchronise the connection, and one of {@code
 * X-Forwarded-For} would be written twice. Values with CR, LF or NUL are refused (header injection).
 * Both are checked when the edit is made, so a config that asks for them is refused at load time by
 * the same rule.
 *
 * <p>Threading: built and used on one event loop, for one message.
 */
final class HeadEdits {
    /** Field names (lower case) that no edit may touch: the config's rule, {@link HeaderEdit#PROTECTED}. */
    static final Set<String> PROTECTED = HeaderEdit.PROTECTED;

    private final List<String> removed = new ArrayList<>(2);   // lower case
    private final List<byte[]> added = new ArrayList<>(2);     // "Name: value\r\n"
    private String target;

    /** Removes every field of this name. */
    HeadEdits remove(String name) {
        String n = checkName(name);
        if (!removed.contains(n)) removed.add(n);
        return this;
    }

    /** Replaces every field of this name with one field of this value. */
    HeadEdits set(String name, String value) {
        remove(name);
        return add(name, value);
    }

    /** Adds a field, after the kept ones. */
    HeadEdits add(String name, String value) {
        checkName(name);
        checkValue(name, value);
        added.add((name + ": " + value + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return this;
    }

    /** Requests: the origin-form target to send instead of the received one (a path rewrite). */
    HeadEdits target(String originForm) {
        if (originForm == null || originForm.isEmpty() || originForm.charAt(0) != '/') {
            throw new IllegalArgumentException("a rewritten target must start with '/': " + originForm);
        }
        checkValue("target", originForm);
        for (int i = 0; i < originForm.length(); i++) {
            if (originForm.charAt(i) <= ' ') throw new IllegalArgumentException("a rewritten target must not contain spaces or controls");
        }
        this.target = originForm;
        return this;
    }

    /** The target to send instead of the received one; null to keep it. */
    String target() {
        return target;
    }

    /** Whether edits remove (or replace) fields of this name (lower case). */
    boolean removes(String lowerName) {
        return removed.contains(lowerName);
    }

    /** Whether field {@code i} of {@code h} is removed by these edits. */
    boolean drops(Head h, int i) {
        if (removed.isEmpty()) return false;
        int start = h.start(i);
        int len = h.colon(i) - start;
        for (int r = 0; r < removed.size(); r++) {
            String n = removed.get(r);
            if (n.length() != len) continue;
            boolean same = true;
            for (int j = 0; j < len && same; j++) {
                int a = h.bytes[start + j];
                if (a >= 'A' && a <= 'Z') a += 32;
                same = a == n.charAt(j);
            }
            if (same) return true;
        }
        return false;
    }

    /** Bytes the added field lines take. */
    int addedBytes() {
        int n = 0;
        for (byte[] a : added) n += a.length;
        return n;
    }

    List<byte[]> added() {
        return added;
    }

    private static String checkName(String name) {
        return HeaderEdit.checkName(name);
    }

    private static void checkValue(String name, String value) {
        HeaderEdit.checkValue(name, value);
    }

    /** Applies a configured edit (a route's). */
    HeadEdits apply(HeaderEdit e) {
        return switch (e.op()) {
            case SET -> set(e.name(), e.value());
            case ADD -> add(e.name(), e.value());
            case REMOVE -> remove(e.name());
        };
    }
}
