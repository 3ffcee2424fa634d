package io.switchboard.balance;

import java.nio.charset.StandardCharsets;

/**
 * 64-bit hashing for affinity keys and ring points: FNV-1a over the bytes, then the SplitMix64
 * finalizer (Steele, Lea, Flood 2014) so that similar keys (10.0.0.1, 10.0.0.2) land far apart.
 */
public final class KeyHash {
    private KeyHash() {}

    public static long of(String s) {
        return of(s.getBytes(StandardCharsets.UTF_8));
    }

    public static long of(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** Hashes a CharSequence without allocating (UTF-16 code units, for URIs on the hot path). */
    public static long ofChars(CharSequence s) {
        return ofChars(s, 0, s.length());
    }

    /** Hashes the chars in [from, to) without allocating (a path without its query, say). */
    public static long ofChars(CharSequence s, int from, int to) {
        long h = 0xcbf29ce484222325L;
        for (int i = from; i < to; i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
