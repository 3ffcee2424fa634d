package io.switchboard.app;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The entries of one {@link YamlNode.Mapping}, by key in file order: an immutable map kept in two
 * arrays. A config of 10,000 servers holds 10,000 small mappings, each read once by the checks after
 * the whole file was parsed; a LinkedHashMap per mapping spreads each over half a dozen objects that
 * have left the CPU's cache by then. Small mappings are searched in order (keys are few and mostly the
 * same few instances, see {@link YamlTreeReader}); large ones get a hash index.
 *
 * <p>Immutable once built; thread-safe.
 */
final class YamlEntries extends AbstractMap<String, YamlNode.Entry> {
    private static final int SCAN_AT_MOST = 8;

    private final String[] keys;
    private final YamlNode.Entry[] values;
    private final Map<String, Integer> index; // null for small mappings

    /** @param entries in file order, keys distinct (the reader reports and drops a repeated key) */
    YamlEntries(YamlNode.Entry[] entries) {
        int n = entries.length;
        this.values = entries;
        this.keys = new String[n];
        for (int i = 0; i < n; i++) keys[i] = entries[i].key();
        if (n > SCAN_AT_MOST) {
            index = HashMap.newHashMap(n);
            for (int i = 0; i < n; i++) index.put(keys[i], i);
        } else {
            index = null;
        }
    }

    private int find(Object key) {
        if (index != null) {
            Integer i = index.get(key);
            return i == null ? -1 : i;
        }
        for (int i = 0; i < keys.length; i++) if (keys[i].equals(key)) return i;
        return -1;
    }

    @Override
    public YamlNode.Entry get(Object key) {
        int i = find(key);
        return i < 0 ? null : values[i];
    }

    @Override
    public boolean containsKey(Object key) {
        return find(key) >= 0;
    }

    @Override
    public int size() {
        return keys.length;
    }

    @Override
    public boolean isEmpty() {
        return keys.length == 0;
    }

    @Override
    public Collection<YamlNode.Entry> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<YamlNode.Entry> iterator() {
                return new ArrayIterator<>(values);
            }

            @Override
            public int size() {
                return values.length;
            }
        };
    }

    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                return new ArrayIterator<>(keys);
            }

            @Override
            public boolean contains(Object o) {
                return find(o) >= 0;
            }

            @Override
            public int size() {
                return keys.length;
            }
        };
    }

    @Override
    public Set<Map.Entry<String, YamlNode.Entry>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, YamlNode.Entry>> iterator() {
                return Arrays.stream(values).map(e -> Map.entry(e.key(), e)).iterator();
            }

            @Override
            public int size() {
                return values.length;
            }
        };
    }

    /** Read-only: {@code remove} is the iterator's default, which refuses. */
    private static final class ArrayIterator<T> implements Iterator<T> {
        private final T[] items;
        private int next;

        ArrayIterator(T[] items) {
            this.items = items;
        }

        @Override
        public boolean hasNext() {
            return next < items.length;
        }

        @Override
        public T next() {
            if (next >= items.length) throw new NoSuchElementException();
            return items[next++];
        }
    }
}
