package io.switchboard.cluster.group;

import io.switchboard.cluster.ClusterMember;
import io.switchboard.cluster.VipAssignment;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.BARRIER;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.NameCache;

/**
 * This balancer's membership in the group of balancers, on JGroups over TCP with a static peer
 * list. It turns JGroups views into {@link ClusterView}s that every member computes alike, and
 * carries small broadcast messages between members.
 *
 * <p>Agreed join times: JGroups views carry no time, and each node's clock is its own. So the
 * coordinator, on every view it installs, multicasts a stamp: the view id, its clock ("now"), every
 * member's join time (kept from the previous stamp; new members get "now") and the assignment in
 * force. Every member, the coordinator included, builds its {@link ClusterView} from that stamp
 * alone, with {@link VipAssignment#assign}: same inputs, same result, also on a member that just
 * joined. A new coordinator (the old one left) continues from the last stamp it received. While a
 * member younger than the maturity period is in the view, the coordinator stamps again when it
 * matures, so that it takes addresses without waiting for the next view change.
 *
 * <p>Preferences: every member's JGroups address is an {@link ExtendedUUID} that carries its
 * preferred addresses and its group endpoint, so the coordinator learns them from the view itself
 * and stamps them with the join times; all members then assign with the same preferences.
 *
 * <p>Security: all group traffic is sealed with the group key (AES-GCM, {@link GroupEncrypt} right
 * above the transport, {@code SERIALIZE} above it so headers are sealed too). A node with another
 * key can neither discover nor join the group: its messages fail authentication and are dropped.
 *
 * <p>Threading: {@link #start} and {@link #close} from one owner thread. The listeners run on
 * JGroups' delivery threads, one call at a time for views; they must not block for long. {@link
 * #broadcast} and {@link #view} are safe from any thread.
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = System.getLogger(ClusterNode.class.getName());
    private static final byte STAMP = 1;
    private static final byte USER = 2;
    private static final String PREFER_KEY = "sb-prefer";
    private static final String ENDPOINT_KEY = "sb-endpoint";
    /** GMS: how long a joiner waits for the coordinator's answer, and a view for its acks. */
    private static final long JOIN_TIMEOUT_MS = 1000;
    private static final long VIEW_ACK_TIMEOUT_MS = 500;
    private static final long LEAVE_TIMEOUT_MS = 500;
    /** MERGE3: how often (randomly between) members look for other partitions; a healed split merges within seconds. */
    private static final long MERGE_MIN_INTERVAL_MS = 1000;
    private static final long MERGE_MAX_INTERVAL_MS = 3000;

    /** Called with every new agreed view. */
    @FunctionalInterface
    public interface ViewListener {
        void viewChanged(ClusterView view);
    }

    /** Called with every broadcast from another member (never this node's own). */
    @FunctionalInterface
    public interface MessageListener {
        void received(String fromMember, byte[] payload);
    }

    private final GroupSettings settings;
    private final ViewListener viewListener;
    private final MessageListener messageListener;
    private final ScheduledExecutorService stamper;
    private JChannel channel;
    private volatile ClusterView current;
    /** Member id to its group endpoint, from the latest JGroups view. */
    private volatile Map<String, String> endpoints = Map.of();
    /** The last stamp this node sent as coordinator; touched only on the stamper thread. */
    private ClusterView lastSent;
    private ScheduledFuture<?> maturityRestamp;

    public ClusterNode(GroupSettings settings, ViewListener viewListener, MessageListener messageListener) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.viewListener = Objects.requireNonNull(viewListener, "view listener");
        this.messageListener = Objects.requireNonNull(messageListener, "message listener");
        this.stamper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-stamp-" + settings.nodeName());
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the channel and joins the group (returns once this node is in a view, possibly alone). */
    public void start() throws Exception {
        TCP tcp = new TCP();
        tcp.setBindAddress(settings.bindAddress());
        tcp.setBindPort(settings.bindPort());
        tcp.setPortRange(0);
        TCPPING ping = new TCPPING();
        ping.setInitialHosts(settings.peers());
        ping.setPortRange(0);
        // Only on the group's address: FD_SOCK2 would otherwise listen on every interface.
        FD_SOCK2 fdSock = new FD_SOCK2();
        fdSock.setBindAddress(settings.bindAddress());
        FD_ALL3 fdAll = new FD_ALL3();
        fdAll.setInterval(settings.heartbeat().toMillis());
        fdAll.setTimeout(settings.failureTimeout().toMillis());
        VERIFY_SUSPECT2 verify = new VERIFY_SUSPECT2();
        verify.setTimeout(settings.suspectTimeout().toMillis());
        MERGE3 merge = new MERGE3();
        merge.setMinInterval(MERGE_MIN_INTERVAL_MS);
        merge.setMaxInterval(MERGE_MAX_INTERVAL_MS);
        GMS gms = new GMS();
        gms.setJoinTimeout(JOIN_TIMEOUT_MS);
        gms.setViewAckCollectionTimeout(VIEW_ACK_TIMEOUT_MS);
        gms.setLeaveTimeout(LEAVE_TIMEOUT_MS);
        gms.printLocalAddress(false); // a banner on stdout; ClusterService logs the join itself
        JChannel ch = new JChannel(
                tcp,
                new GroupEncrypt(settings.groupKey()),
                new SERIALIZE(),
                ping,
                merge,
                fdSock,
                fdAll,
                verify,
                new BARRIER(),
                new NAKACK2().useMcastXmit(false),
                new UNICAST3(),
                new STABLE(),
                gms,
                new MFC(),
                new UFC(),
                new FRAG4());
        // The stack's init (in the constructor) creates the handler; keep its multicast socket shut.
        tcp.getDiagnosticsHandler().setEnabled(false);
        byte[] prefer = String.join("\n", settings.prefer()).getBytes(StandardCharsets.UTF_8);
        byte[] endpoint = (settings.bindAddress().getHostAddress() + ":" + settings.bindPort())
                .getBytes(StandardCharsets.UTF_8);
        ch.addAddressGenerator(() -> ExtendedUUID.randomUUID().put(PREFER_KEY, prefer).put(ENDPOINT_KEY, endpoint));
        ch.name(settings.nodeName());
        ch.setReceiver(new Receiver() {
            @Override
            public void viewAccepted(View view) {
                onView(view);
            }

            @Override
            public void receive(Message msg) {
                onMessage(msg);
            }
        });
        channel = ch;
        try {
            ch.connect(settings.groupName());
        } catch (Exception e) {
            ch.close();
            throw e;
        }
    }

    /** The latest agreed view, or null before the first stamp arrived. */
    public ClusterView view() {
        return current;
    }

    public String name() {
        return settings.nodeName();
    }

    public GroupSettings settings() {
        return settings;
    }

    /** The group endpoint ({@code host:port}) member {@code id} announced, or null if it is not in the view. */
    public String endpoint(String id) {
        return endpoints.get(id);
    }

    /** Sends {@code payload} to every other member (reliable, in order per sender); not delivered here. */
    public void broadcast(byte[] payload) throws Exception {
        byte[] framed = new byte[payload.length + 1];
        framed[0] = USER;
        System.arraycopy(payload, 0, framed, 1, payload.length);
        channel.send(new BytesMessage(null, framed));
    }

    @Override
    public void close() {
        stamper.shutdownNow();
        try {
            stamper.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (channel != null) {
            channel.close();
        }
    }

    private void onView(View view) {
        Map<String, String> seen = new HashMap<>();
        List<ClusterMember> candidates = new ArrayList<>();
        for (Address a : view.getMembers()) {
            String id = id(a);
            String endpoint = extra(a, ENDPOINT_KEY);
            if (endpoint != null) {
                seen.put(id, endpoint);
            }
            String prefer = extra(a, PREFER_KEY);
            List<String> preferred = new ArrayList<>();
            if (prefer != null && !prefer.isEmpty()) {
                for (String vip : prefer.split("\n")) {
                    // Preferences must name configured addresses; a member configured differently is ignored there.
                    if (settings.vips().contains(vip)) {
                        preferred.add(vip);
                    }
                }
            }
            candidates.add(new ClusterMember(id, 0, preferred));
        }
        endpoints = Map.copyOf(seen);
        Address self = channel.getAddress();
        if (self != null && self.equals(view.getCoord())) {
            long viewId = view.getViewId().getId();
            try {
                stamper.execute(() -> stamp(viewId, candidates));
            } catch (RejectedExecutionException closing) {
                // close() has begun: this node stamps nothing more.
            }
        }
    }

    /** The member's node name: its JGroups logical name (an ExtendedUUID's toString would add its extras). */
    private static String id(Address a) {
        String name = NameCache.get(a);
        return name != null ? name : String.valueOf(a);
    }

    private static String extra(Address a, String key) {
        if (a instanceof ExtendedUUID u) {
            byte[] v = u.get(key);
            return v == null ? null : new String(v, StandardCharsets.UTF_8);
        }
        return null;
    }

    /** Coordinator only, on the stamper thread. */
    private void stamp(long viewId, List<ClusterMember> candidates) {
        ClusterView base = lastSent;
        ClusterView applied = current;
        if (base == null || (applied != null && applied.viewId() > base.viewId())) {
            base = applied;
        }
        Map<String, Long> joined = new HashMap<>();
        Map<String, String> previous = Map.of();
        if (base != null) {
            for (ClusterMember m : base.members()) {
                joined.put(m.id(), m.joinedAtMillis());
            }
            previous = base.assignment();
        }
        long now = System.currentTimeMillis();
        List<ClusterMember> members = new ArrayList<>();
        for (ClusterMember c : candidates) {
            members.add(new ClusterMember(c.id(), joined.getOrDefault(c.id(), now), c.preferredVips()));
        }
        ClusterView stamped;
        try {
            stamped = compute(viewId, now, members, previous);
        } catch (IllegalArgumentException e) {
            LOG.log(Level.ERROR, "cluster view " + viewId + " not stamped: " + e.getMessage());
            return;
        }
        try {
            channel.send(new BytesMessage(null, encodeStamp(viewId, now, members, previous)));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "cluster view " + viewId + ": sending the stamp failed: " + e);
            return;
        }
        lastSent = stamped;
        scheduleMaturityRestamp(viewId, candidates, members, now);
    }

    private void scheduleMaturityRestamp(long viewId, List<ClusterMember> candidates, List<ClusterMember> members, long now) {
        if (maturityRestamp != null) {
            maturityRestamp.cancel(false);
            maturityRestamp = null;
        }
        long next = Long.MAX_VALUE;
        for (ClusterMember m : members) {
            long matures = m.joinedAtMillis() + settings.maturity().toMillis();
            if (matures > now) {
                next = Math.min(next, matures);
            }
        }
        if (next != Long.MAX_VALUE) {
            maturityRestamp = stamper.schedule(() -> {
                if (lastSent != null && lastSent.viewId() == viewId) {
                    stamp(viewId, candidates);
                }
            }, next - now, TimeUnit.MILLISECONDS);
        }
    }

    private ClusterView compute(long viewId, long now, List<ClusterMember> members, Map<String, String> previous) {
        Map<String, String> assignment =
                VipAssignment.assign(members, settings.vips(), previous, now, settings.maturity());
        return new ClusterView(viewId, now, members, assignment);
    }

    private void onMessage(Message msg) {
        byte[] data = msg.getArray();
        int offset = msg.getOffset();
        int length = msg.getLength();
        if (data == null || length == 0) {
            return;
        }
        if (data[offset] == USER) {
            if (msg.getSrc() != null && msg.getSrc().equals(channel.getAddress())) {
                return;
            }
            byte[] payload = new byte[length - 1];
            System.arraycopy(data, offset + 1, payload, 0, length - 1);
            messageListener.received(id(msg.getSrc()), payload);
        } else if (data[offset] == STAMP) {
            applyStamp(data, offset + 1, length - 1);
        } else {
            LOG.log(Level.WARNING, "cluster message of unknown type " + data[offset] + " from " + msg.getSrc() + " ignored");
        }
    }

    private synchronized void applyStamp(byte[] data, int offset, int length) {
        ClusterView view;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, offset, length))) {
            long viewId = in.readLong();
            long now = in.readLong();
            int n = in.readInt();
            List<ClusterMember> members = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String id = in.readUTF();
                long joinedAt = in.readLong();
                int np = in.readInt();
                List<String> preferred = new ArrayList<>(np);
                for (int j = 0; j < np; j++) {
                    preferred.add(in.readUTF());
                }
                members.add(new ClusterMember(id, joinedAt, preferred));
            }
            int p = in.readInt();
            Map<String, String> previous = new LinkedHashMap<>();
            for (int i = 0; i < p; i++) {
                previous.put(in.readUTF(), in.readUTF());
            }
            ClusterView last = current;
            if (last != null && viewId < last.viewId()) {
                return;
            }
            view = compute(viewId, now, members, previous);
        } catch (IOException | IllegalArgumentException e) {
            LOG.log(Level.WARNING, "cluster view stamp ignored: " + e);
            return;
        }
        current = view;
        viewListener.viewChanged(view);
    }

    private static byte[] encodeStamp(long viewId, long now, List<ClusterMember> members, Map<String, String> previous) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(STAMP);
            out.writeLong(viewId);
            out.writeLong(now);
            out.writeInt(members.size());
            for (ClusterMember m : members) {
                out.writeUTF(m.id());
                out.writeLong(m.joinedAtMillis());
                out.writeInt(m.preferredVips().size());
                for (String vip : m.preferredVips()) {
                    out.writeUTF(vip);
                }
            }
            out.writeInt(previous.size());
            for (Map.Entry<String, String> e : previous.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
