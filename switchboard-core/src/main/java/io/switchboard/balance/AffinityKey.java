package io.switchboard.balance;

/** What the data plane hashes into {@link PickContext#hash()} for an algorithm: nothing, the client address, or the path. */
public enum AffinityKey {
    NONE, CLIENT_ADDRESS, PATH
}
