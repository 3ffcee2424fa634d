package io.switchboard.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/** Per-server LRU of object ids (cache model for locality-aware scenarios); access-ordered. */
final class Lru extends LinkedHashMap<Integer, Boolean> {
    private final int limit;

    Lru(int limit) {
        super(16, 0.75f, true);
        this.limit = limit;
    }

    /** Whether the object was cached; it is afterwards. */
    boolean touch(int object) {
        return put(object, Boolean.TRUE) != null;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
        return size() > limit;
    }
}
