package io.switchboard.cluster.group;

import io.switchboard.config.ClusterConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * What one node needs to join the group: its own name and TCP endpoint, the static list of peers
 * to look for, the virtual addresses whose assignment it reports on every view, its own address
 * preferences, the group key, and the failure-detection timings. Immutable.
 *
 * @param nodeName this node's member id, unique in the group (it is the id in {@link io.switchboard.cluster.ClusterMember})
 * @param groupName the JGroups cluster name; nodes with another name never join this group
 * @param bindAddress the local address the group's TCP transport listens on
 * @param bindPort the TCP port (1-65535); the failure detector (FD_SOCK2) also uses a port 100 above it
 * @param peers every node's group endpoint (this node's own may be listed too): TCPPING's initial hosts
 * @param vips the virtual addresses to assign, in configured order, without duplicates
 * @param maturity how long a member must be in the group before it takes addresses
 * @param prefer the addresses this node prefers, most wanted first (each one of {@code vips})
 * @param groupKey the AES-256 key that encrypts and authenticates all group traffic (see {@link #deriveKey})
 * @param heartbeat how often members send heartbeats (FD_ALL3 interval)
 * @param failureTimeout a member silent this long is suspected (FD_ALL3 timeout)
 * @param suspectTimeout how long a suspicion is verified before the member is excluded (VERIFY_SUSPECT2)
 */
public record GroupSettings(
        String nodeName,
        String groupName,
        InetAddress bindAddress,
        int bindPort,
        List<InetSocketAddress> peers,
        List<String> vips,
        Duration maturity,
        List<String> prefer,
        SecretKey groupKey,
        Duration heartbeat,
        Duration failureTimeout,
        Duration suspectTimeout) {
    /** Shortest shared secret accepted: 256 bits. */
    public static final int MIN_KEY_BYTES = 32;

    public GroupSettings {
        Objects.requireNonNull(nodeName, "node name");
        Objects.requireNonNull(groupName, "group name");
        Objects.requireNonNull(bindAddress, "bind address");
        Objects.requireNonNull(maturity, "maturity");
        Objects.requireNonNull(groupKey, "group key");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(failureTimeout, "failure timeout");
        Objects.requireNonNull(suspectTimeout, "suspect timeout");
        if (nodeName.isBlank()) {
            throw new IllegalArgumentException("cluster node name must not be blank");
        }
        if (groupName.isBlank()) {
            throw new IllegalArgumentException("cluster group name must not be blank");
        }
        if (bindPort < 1 || bindPort > 65535) {
            throw new IllegalArgumentException(
                    "cluster bind port " + bindPort + " is out of range; allowed: 1-65535 (TCPPING needs a fixed port)");
        }
        if (maturity.isNegative()) {
            throw new IllegalArgumentException("cluster maturity must be zero or positive, got " + maturity);
        }
        if (heartbeat.toMillis() < 1 || failureTimeout.compareTo(heartbeat) <= 0 || suspectTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("cluster timings: heartbeat " + heartbeat + ", failure-timeout "
                    + failureTimeout + ", suspect-timeout " + suspectTimeout
                    + "; allowed: heartbeat and suspect-timeout at least 1ms, failure-timeout longer than heartbeat");
        }
        peers = List.copyOf(peers);
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("cluster peer list is empty; list at least this node's own address:port");
        }
        vips = List.copyOf(vips);
        Set<String> seen = new HashSet<>();
        for (String vip : vips) {
            if (!seen.add(vip)) {
                throw new IllegalArgumentException(
                        "virtual address '" + vip + "' is listed twice; each address may appear once");
            }
        }
        prefer = List.copyOf(prefer);
        for (String p : prefer) {
            if (!seen.contains(p)) {
                throw new IllegalArgumentException(
                        "preferred virtual address '" + p + "' is not one of the cluster's vips " + vips);
            }
        }
    }

    /** The same settings with other preferences. */
    public GroupSettings withPrefer(List<String> preferred) {
        return new GroupSettings(nodeName, groupName, bindAddress, bindPort, peers, vips, maturity, preferred,
                groupKey, heartbeat, failureTimeout, suspectTimeout);
    }

    /** The same settings with another group key. */
    public GroupSettings withKey(SecretKey key) {
        return new GroupSettings(nodeName, groupName, bindAddress, bindPort, peers, vips, maturity, prefer,
                key, heartbeat, failureTimeout, suspectTimeout);
    }

    /**
     * The settings for {@code config}; reads the key file.
     *
     * @throws IllegalArgumentException naming the file and what is wrong with it (missing, unreadable,
     *     shorter than {@link #MIN_KEY_BYTES}), or an unresolvable bind or peer host
     */
    public static GroupSettings of(ClusterConfig config) {
        byte[] secret = readKeyFile(config.keyFile());
        SecretKey key;
        try {
            key = deriveKey(secret);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        InetAddress bind = resolve(config.bindHost(), "cluster bind");
        List<InetSocketAddress> peers = new ArrayList<>();
        for (ClusterConfig.Endpoint p : config.peers()) {
            peers.add(new InetSocketAddress(resolve(p.host(), "cluster peer " + p), p.port()));
        }
        return new GroupSettings(config.node(), config.group(), bind, config.bindPort(), peers, config.vips(),
                config.maturity(), config.prefer(), key,
                orDefault(config.heartbeat(), ClusterConfig.DEFAULT_HEARTBEAT),
                orDefault(config.failureTimeout(), ClusterConfig.DEFAULT_FAILURE_TIMEOUT),
                orDefault(config.suspectTimeout(), ClusterConfig.DEFAULT_SUSPECT_TIMEOUT));
    }

    /** The shared secret in {@code file}; at least {@link #MIN_KEY_BYTES} bytes. */
    static byte[] readKeyFile(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cluster key-file " + file + " does not exist; create it with at least "
                    + MIN_KEY_BYTES + " random bytes (e.g. head -c 64 /dev/urandom) and copy it to every member");
        } catch (IOException e) {
            throw new IllegalArgumentException("cluster key-file " + file + " cannot be read: " + e.getMessage());
        }
        if (bytes.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("cluster key-file " + file + " holds " + bytes.length
                    + " bytes; at least " + MIN_KEY_BYTES + " are required (e.g. head -c 64 /dev/urandom)");
        }
        return bytes;
    }

    /**
     * The group's AES-256 key from the shared secret: HKDF-SHA256 (RFC 5869) with a fixed salt and
     * label, so the key file's bytes are never used as the cipher key directly and a file of any
     * length gives a uniform key.
     */
    public static SecretKey deriveKey(byte[] secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec("switchboard-cluster-salt-v1".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            byte[] prk = mac.doFinal(secret);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update("switchboard group key AES-256-GCM".getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 1);
            byte[] okm = mac.doFinal();
            Arrays.fill(prk, (byte) 0);
            return new SecretKeySpec(okm, "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    private static Duration orDefault(Duration d, Duration fallback) {
        return d == null ? fallback : d;
    }

    private static InetAddress resolve(String host, String what) {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(what + " host '" + host + "' does not resolve to an address");
        }
    }

    @Override
    public String toString() {
        // Never print the key.
        return "GroupSettings[" + nodeName + "@" + groupName + " " + bindAddress.getHostAddress() + ":" + bindPort
                + " peers=" + peers + " vips=" + vips + " prefer=" + prefer + "]";
    }
}
