package io.switchboard.cluster.service;

import io.switchboard.cluster.ClusterMember;
import io.switchboard.cluster.ClusterStatus;
import io.switchboard.cluster.VipAssignment;
import io.switchboard.cluster.group.ClusterNode;
import io.switchboard.cluster.group.ClusterView;
import io.switchboard.cluster.group.GroupSettings;
import io.switchboard.cluster.vip.VipHolder;
import io.switchboard.config.ClusterConfig;
import java.util.Set;
import io.switchboard.registry.PoolRegistry;
import io.switchboard.persist.PersistenceState;
import io.switchboard.cluster.replicate.Replicator;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * This balancer's part in the cluster, as the app runs it: joins the group ({@link ClusterNode}),
 * holds its share of the virtual addresses on the interface ({@link VipHolder}) as every agreed
 * view assigns them, answers {@link #status}, and lets other parts (replication) listen to views
 * and messages and broadcast their own.
 *
 * <p>Threading: {@link #start} and {@link #close} from the owner's thread. Views arrive on JGroups'
 * thread one at a time; the address changes they imply are queued, in view order, to one thread
 * of their own ({@code cluster-vips}), so a slow {@code ip} never holds up the group. Listeners
 * added here run on JGroups' threads and must not block. {@link #status} and {@link #broadcast}
 * are safe from any thread.
 */
public final class ClusterService implements AutoCloseable {
    private static final Logger LOG = System.getLogger(ClusterService.class.getName());

    private final GroupSettings settings;
    private final VipHolder holder;
    private final ClusterNode node;
    private final ExecutorService vipThread;
    private final List<ClusterNode.ViewListener> viewListeners = new CopyOnWriteArrayList<>();
    private final List<ClusterNode.MessageListener> messageListeners = new CopyOnWriteArrayList<>();
    private Replicator replicator;
    private volatile Supplier<ClusterStatus.Replication> replication = () -> ClusterStatus.Replication.NONE;
    /** The assignment the last queued diff led to; touched only on JGroups' view thread. */
    private Map<String, String> applied = Map.of();
    private boolean started;
    private boolean closed;

    /**
     * A service for {@code config}; reads the key file.
     *
     * @throws IllegalArgumentException what is wrong with the configuration (key file, hosts, addresses)
     */
    public ClusterService(ClusterConfig config) {
        this(GroupSettings.of(config), holderFor(config));
    }

    /** For tests: the given settings, and {@code holder} (null: addresses are assigned but not put on an interface). */
    public ClusterService(GroupSettings settings, VipHolder holder) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.holder = holder;
        this.node = new ClusterNode(settings, this::onView, this::onMessage);
        this.vipThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cluster-vips-" + settings.nodeName());
            t.setDaemon(true);
            return t;
        });
    }

    private static VipHolder holderFor(ClusterConfig config) {
        if (config.vips().isEmpty()) {
            return null;
        }
        if (config.vipInterface() == null || config.vipInterface().isBlank()) {
            LOG.log(Level.ERROR, "cluster: vips are configured but no interface; the addresses are assigned but not held");
            return null;
        }
        return new VipHolder(config.vipInterface(), config.vips());
    }

    /** Removes stale copies of the addresses, then joins the group (returns once in a view, possibly alone). */
    public synchronized void start() throws Exception {
        if (started) {
            throw new IllegalStateException("cluster service already started");
        }
        started = true;
        if (holder != null) {
            holder.start();
        }
        node.start();
        LOG.log(Level.INFO, "cluster: " + settings.nodeName() + " joined group " + settings.groupName() + " on "
                + settings.bindAddress().getHostAddress() + ":" + settings.bindPort());
    }

    /**
     * Leaves the group, then drops the held addresses: the others take them over on the view that
     * follows the leave, so the gap is at most the time of that view (a short overlap is possible,
     * and the new holder's gratuitous ARP settles it). Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (replicator != null) {
            replicator.close(); // first: it sends what it still has queued while this node is in the group
        }
        node.close();
        vipThread.shutdown();
        try {
            if (!vipThread.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "cluster: address changes still running after 10 s at shutdown");
                vipThread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (holder != null) {
            holder.close();
        }
    }

    /** Calls {@code listener} with every broadcast from another member (on JGroups' thread). */
    public void onMessage(ClusterNode.MessageListener listener) {
        messageListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Calls {@code listener} with every agreed view, after this node's address changes are queued. */
    public void addViewListener(ClusterNode.ViewListener listener) {
        viewListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Sends {@code payload} to every other member (reliable, in order per sender); not delivered here. */
    public void broadcast(byte[] payload) throws Exception {
        node.broadcast(payload);
    }

    /**
     * Shares {@code what} of this node's registry and stick tables with the other members (a
     * {@link Replicator}, closed before this service leaves the group). Call before {@link #start},
     * so that the first view and the first messages already reach it.
     */
    public synchronized void replicate(Set<ClusterConfig.Shared> what, PoolRegistry registry, PersistenceState persistence) {
        if (replicator != null) {
            throw new IllegalStateException("replication is already plugged in");
        }
        Replicator r = new Replicator(self(), what, registry, persistence, bytes -> {
            try {
                node.broadcast(bytes);
            } catch (Exception e) {
                throw new IllegalStateException("cluster broadcast failed: " + e.getMessage(), e);
            }
        });
        onMessage(r::received);
        addViewListener(r::viewChanged);
        replicationStatus(r::stats);
        replicator = r;
    }

    /** Where {@link #status} takes its replication counters from (the replication part supplies them). */
    public void replicationStatus(Supplier<ClusterStatus.Replication> counters) {
        this.replication = Objects.requireNonNull(counters, "counters");
    }

    /** The group node, for parts that need more than the methods here. */
    public ClusterNode node() {
        return node;
    }

    public String self() {
        return settings.nodeName();
    }

    /** What this node knows of the cluster now. */
    public ClusterStatus status() {
        ClusterView view = node.view();
        List<String> held = holder == null ? List.of() : holder.held();
        ClusterStatus.Replication counters = replication.get();
        if (view == null) {
            return new ClusterStatus(settings.nodeName(), settings.groupName(), 0, null, List.of(), Map.of(), held, counters);
        }
        List<ClusterStatus.Member> members = new ArrayList<>();
        for (ClusterMember m : view.members()) {
            List<String> vips = new ArrayList<>();
            for (Map.Entry<String, String> e : view.assignment().entrySet()) {
                if (e.getValue().equals(m.id())) {
                    vips.add(e.getKey());
                }
            }
            members.add(new ClusterStatus.Member(m.id(), node.endpoint(m.id()), m.joinedAtMillis(),
                    m.matureAt(view.stampedAtMillis(), settings.maturity()), vips));
        }
        return new ClusterStatus(settings.nodeName(), settings.groupName(), view.viewId(), view.coordinator(),
                members, view.assignment(), held, counters);
    }

    private void onView(ClusterView view) {
        VipAssignment.Diff diff = VipAssignment.Diff.between(applied, view.assignment(), settings.nodeName());
        applied = view.assignment();
        if (holder != null) { // an empty diff too: every view re-announces what this node holds
            try {
                vipThread.execute(() -> holder.apply(diff, view.viewId()));
            } catch (RejectedExecutionException closing) {
                // close() has begun: it drops every held address itself.
            }
        }
        for (ClusterNode.ViewListener l : viewListeners) {
            try {
                l.viewChanged(view);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "cluster view " + view.viewId() + ": a view listener failed", e);
            }
        }
    }

    private void onMessage(String from, byte[] payload) {
        for (ClusterNode.MessageListener l : messageListeners) {
            try {
                l.received(from, payload);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "cluster message from " + from + ": a message listener failed", e);
            }
        }
    }
}
