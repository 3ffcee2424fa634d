package io.switchboard.balance;

/**
 * What a hashing algorithm keeps a request's back end by, hashed into {@link PickContext#hash()}:
 * nothing, the client address, or the path (the query left out; see {@link RequestView#affinityPath()}).
 */
public enum AffinityKey {
    NONE {
        @Override
        public long hash(RequestView request) {
            return 0;
        }
    },
    CLIENT_ADDRESS {
        @Override
        public long hash(RequestView request) {
            return KeyHash.ofChars(request.clientAddress());
        }
    },
    PATH {
        @Override
        public long hash(RequestView request) {
            return KeyHash.ofChars(request.affinityPath());
        }
    };

    /** The key of this request. */
    public abstract long hash(RequestView request);
}
