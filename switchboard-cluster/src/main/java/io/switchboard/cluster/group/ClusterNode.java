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
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;

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
 * <p>Threading: {@link #start} and {@link #close} from one owner thread. The listeners run on
 * JGroups' delivery threads, one call at a time for views; they must not block for long. {@link
 * #broadcast} and {@link #view} are safe from any thread.
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = System.getLogger(ClusterNode.class.getName());
    private static final byte STAMP = 1;
    private static final byte USER = 2;

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
        JChannel ch = new JChannel(
                tcp,
                ping,
                new MERGE3(),
                new FD_SOCK2(),
                new FD_ALL3(),
                new VERIFY_SUSPECT2(),
                new BARRIER(),
                new NAKACK2().useMcastXmit(false),
                new UNICAST3(),
                new STABLE(),
                new GMS(),
                new MFC(),
                new UFC(),
                new FRAG4());
        // The stack's init (in the constructor) creates the handler; keep its multicast socket shut.
        tcp.getDiagnosticsHandler().setEnabled(false);
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
        Address self = channel.getAddress();
        if (self != null && self.equals(view.getCoord())) {
            List<String> ids = new ArrayList<>();
            for (Address a : view.getMembers()) {
                ids.add(String.valueOf(a));
            }
            long viewId = view.getViewId().getId();
            try {
                stamper.execute(() -> stamp(viewId, ids));
            } catch (RejectedExecutionException closing) {
                // close() has begun: this node stamps nothing more.
            }
        }
    }

    /** Coordinator only, on the stamper thread. */
    private void stamp(long viewId, List<String> ids) {
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
        for (String id : ids) {
            members.add(new ClusterMember(id, joined.getOrDefault(id, now)));
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
        scheduleMaturityRestamp(viewId, ids, members, now);
    }

    private void scheduleMaturityRestamp(long viewId, List<String> ids, List<ClusterMember> members, long now) {
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
                    stamp(viewId, ids);
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
            messageListener.received(String.valueOf(msg.getSrc()), payload);
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
                members.add(new ClusterMember(in.readUTF(), in.readLong()));
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
