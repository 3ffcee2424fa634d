package io.switchboard.balance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, section 3.4): {@code size} slots, each owned by one back end, so that a flow's
 * hash modulo {@code size} names its back end. Direct server return writes it into an nftables map
 * ({@code jhash ... mod size map {slot : MAC}}): the kernel, not Switchboard, looks flows up.
 *
 * <p>Each back end has a permutation of the slots, {@code (offset + j * skip) mod size}, from two
 * fixed hashes of its key ({@link KeyHash}: the same table in every process and on every host of a
 * cluster). Back ends take turns claiming their next free slot until the table is full; a back end
 * with weight {@code w} of total {@code W} stops at its share, {@code size * w / W} (largest
 * remainders first). Because the permutations depend only on the keys, a back end that leaves frees
 * its own slots and the others keep nearly all of theirs: about {@code 1/n} of the flows move, not
 * all of them as with {@code hash mod n}. The size must be prime (so that every skip visits every
 * slot) and well above the number of back ends (the paper: at least 100 times) for an even split.
 *
 * <p>{@link ConsistentHash} is a ring with bounded loads for the proxy's own picks; it consults live
 * in-flight counts on every pick, which a kernel map cannot do, hence this separate fixed table.
 *
 * <p>Threading: immutable; build on any thread.
 */
public final class Maglev {
    /** Fits an nftables map that loads in about 70 ms; an even split up to about 40 back ends. */
    public static final int DEFAULT_SIZE = 4093;
    public static final int MAX_SIZE = 65537;

    /** One back end: its stable identity (name and address, say) and its weight (0 takes no slot). */
    public record Entry(String key, int weight) {
        public Entry {
            Objects.requireNonNull(key, "key");
            if (weight < 0) throw new IllegalArgumentException("weight must be >= 0, got " + weight);
        }
    }

    private final List<Entry> entries;
    private final int[] owners;
    private final int[] counts;

    private Maglev(List<Entry> entries, int[] owners, int[] counts) {
        this.entries = entries;
        this.owners = owners;
        this.counts = counts;
    }

    /**
     * Builds the table.
     *
     * @param backends the candidates, in any order (the table does not depend on it); keys distinct
     * @param size a prime, 2 up to {@value #MAX_SIZE}, at least the number of back ends with a weight
     * @throws IllegalArgumentException for a size that is not prime or too small, or a repeated key
     */
    public static Maglev build(List<Entry> backends, int size) {
        if (size < 2 || size > MAX_SIZE || !isPrime(size)) {
            throw new IllegalArgumentException("table size " + size + " is not a prime from 2 to " + MAX_SIZE
                    + " (e.g. 251, 1021, " + DEFAULT_SIZE + ", 16381, 65537)");
        }
        List<Entry> list = new ArrayList<>();
        for (Entry e : backends) if (e.weight() > 0) list.add(e);
        list.sort(Comparator.comparing(Entry::key));
        for (int i = 1; i < list.size(); i++) {
            if (list.get(i).key().equals(list.get(i - 1).key())) {
                throw new IllegalArgumentException("back end key '" + list.get(i).key() + "' is listed twice");
            }
        }
        int n = list.size();
        int[] owners = new int[size];
        Arrays.fill(owners, -1);
        if (n == 0) return new Maglev(List.of(), owners, new int[0]);
        if (n > size) {
            throw new IllegalArgumentException(n + " back ends do not fit a table of " + size + " slots; use a larger prime");
        }
        int[] target = shares(list, size);
        long[] offset = new long[n];
        long[] skip = new long[n];
        for (int i = 0; i < n; i++) {
            long h1 = KeyHash.of(list.get(i).key());
            long h2 = KeyHash.mix(h1 ^ 0x5851f42d4c957f2dL);
            offset[i] = Long.remainderUnsigned(h1, size);
            skip[i] = Long.remainderUnsigned(h2, size - 1) + 1;
        }
        long[] next = new long[n]; // j of each back end's permutation
        int[] placed = new int[n];
        int filled = 0;
        while (filled < size) {
            for (int i = 0; i < n && filled < size; i++) {
                if (placed[i] >= target[i]) continue;
                int slot;
                do {
                    slot = (int) ((offset[i] + next[i] * skip[i]) % size);
                    next[i]++;
                } while (owners[slot] >= 0);
                owners[slot] = i;
                placed[i]++;
                filled++;
            }
        }
        return new Maglev(List.copyOf(list), owners, placed);
    }

    /** Each back end's number of slots: its weighted share, largest remainders first, at least one each. */
    private static int[] shares(List<Entry> list, int size) {
        int n = list.size();
        long total = 0;
        for (Entry e : list) total += e.weight();
        int[] target = new int[n];
        long[] remainder = new long[n];
        int sum = 0;
        for (int i = 0; i < n; i++) {
            long scaled = (long) size * list.get(i).weight();
            target[i] = (int) Math.max(1, scaled / total);
            remainder[i] = scaled % total;
            sum += target[i];
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingLong((Integer i) -> -remainder[i]).thenComparingInt(i -> i));
        for (int k = 0; sum < size; k = (k + 1) % n) {
            target[order[k]]++;
            sum++;
        }
        // minimum-one shares may overshoot when weights are very uneven: take back from the largest
        while (sum > size) {
            int big = 0;
            for (int i = 1; i < n; i++) if (target[i] > target[big]) big = i;
            target[big]--;
            sum--;
        }
        return target;
    }

    public static boolean isPrime(int v) {
        if (v < 2) return false;
        if (v % 2 == 0) return v == 2;
        for (int d = 3; (long) d * d <= v; d += 2) if (v % d == 0) return false;
        return true;
    }

    public int size() {
        return owners.length;
    }

    /** The back ends with a weight, in key order: {@link #owner} indexes this list. */
    public List<Entry> backends() {
        return entries;
    }

    /** The index (in {@link #backends()}) of the slot's owner; -1 when there is no back end. */
    public int owner(int slot) {
        return owners[slot];
    }

    /** The key of the slot's owner; null when there is no back end. */
    public String ownerKey(int slot) {
        int o = owners[slot];
        return o < 0 ? null : entries.get(o).key();
    }

    /** How many slots the back end with that key owns (0 when it is not in the table). */
    public int slots(String key) {
        for (int i = 0; i < entries.size(); i++) if (entries.get(i).key().equals(key)) return counts[i];
        return 0;
    }
}
