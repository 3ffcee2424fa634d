package io.switchboard.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.switchboard.backend.Backend;
import io.switchboard.balance.PickContext;
import io.switchboard.balance.RequestView;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.RouteAction;
import io.switchboard.config.RouteConfig;
import io.switchboard.config.ServiceClassConfig;
import io.switchboard.dispatch.Attempts;
import io.switchboard.dispatch.Outcome;
import io.switchboard.dispatch.PoolDispatch;
import io.switchboard.persist.PersistenceState;
import io.switchboard.proxy.guard.Verdict;
import io.switchboard.proxy.proxyprotocol.ClientAddress;
import io.switchboard.proxy.tls.TlsPeer;
import io.switchboard.route.PathNormalizer;
import io.switchboard.route.RouteRequest;
import io.switchboard.route.Router;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP request and its response: choosing a back end (through the pool's {@link PoolDispatch}) and
 * streaming the request body; borrowing a pooled connection or connecting is {@link BackendConnector}'s.
 * The listener's routes
 * are applied by {@link ExchangeRouting}, a wait for a back end below its max-connections is an
 * {@link ExchangeQueue}, sessions are kept by {@link SessionPersistence}; the response side is
 * {@link ResponseRelay}, the timeouts {@link ExchangeTimeouts}, how the exchange ends {@link
 * ExchangeEnd}. A new object per request: when it ends it is dropped, so nothing has to be reset.
 *
 * <p>Failures (seed 002: "loss of a single server will only slightly affect overall site
 * performance"): a connect failure, or a close before the response head of a request that can be
 * sent again, goes to another back end under the rules of {@link Attempts} (retries, retry budget,
 * the suspect-request rule). With the pool's {@code retry-on}, a response timeout or a 502/503/504
 * head of an idempotent request of which nothing was relayed also goes to another back end: the head
 * is not relayed and its connection is closed (its body is not worth draining). Non-idempotent
 * requests never borrow an idle connection (HAProxy's {@code http-reuse safe}), so a stale keep-alive
 * connection can never make them fail or be replayed. A WebSocket handshake answered with {@code 101}
 * becomes a {@link WebSocketTunnel}, which keeps the back end reserved (in flight) until it closes.
 *
 * <p>Threading: the client channel's event loop; the back-end channel is on the same loop.
 */
final class HttpExchange implements RequestView, RouteRequest {
    private static final Logger log = LoggerFactory.getLogger(HttpExchange.class);

    /** Where the exchange stands. */
    enum Phase {
        /** Picking a back end, waiting in its queue, or connecting. */
        DISPATCHING,
        /** Attached to a back-end connection; the response head has not come. */
        FORWARDING,
        /** The response head came; its body is being relayed. */
        RESPONDING,
        /** Answered or aborted; late callbacks are ignored. */
        DONE
    }

    final FrontendHandler conn;
    final Head request;            // null for a head that never completed (408)
    final String method;
    final boolean clientHttp10;
    final String clientVersion;    // for the access log; null before a request line was read
    final long startNanos;         // when the request's first byte arrived
    final ExchangeEnd end;
    final ResponseRelay response;
    Phase phase = Phase.DISPATCHING;
    private String uri;
    /** What path affinity keys on: set by routing, else made on first use; null until then. */
    String affinityPath;

    // the request side
    boolean clientKeepAlive;
    boolean idempotent;
    /** A WebSocket handshake: forwarded with its Upgrade on a new connection, never pooled after. */
    boolean webSocket;
    boolean requestChunked;
    boolean requestDone;           // the last piece of the body was read from the client
    boolean requestSent;           // ... and written to the back end
    private boolean bodySent;      // body bytes went to a back end: no replay any more
    boolean expectContinue;
    private long requestBodyLimit;
    long bytesIn;
    /** What routes and persistence change in the request and in the response head; null: nothing. */
    HeadEdits requestEdits;
    HeadEdits responseEdits;
    /** The pool's session persistence for this request; null when the pool has none. */
    SessionPersistence session;

    // dispatch
    PoolDispatch dispatch;
    PoolConfig poolConfig;
    /** The request's service class in its pool (set by routing before dispatch); null: the default class. */
    String serviceClass;
    /** The route's {@code cost} per request (RFC 2391's session weight), counted by the load-reading algorithms. */
    int cost = RouteAction.Forward.DEFAULT_COST;
    ServiceClassConfig classConfig; // resolved at the first dispatch
    int classRank;
    Attempts attempts;
    Backend backend;               // the last back end tried (access log); reserved only while `reserved`
    boolean reserved;
    /**
     * What the client gets when the back ends tried have all failed and none is left to try: what the
     * last failure means, as HAProxy and NGINX answer it (502 for a back end that closed before its
     * response, 504 for one that did not answer in time, a retried 5xx status as it was); null after a
     * failed connect, which is 503.
     */
    HttpResponseStatus lastFailure;
    Channel backendChannel;        // attached connection; null when none
    BackendHandler backendHandler;
    boolean reusedConnection;
    /** Whether the back-end connection started with a PROXY header: it names this client, so it is never pooled. */
    boolean proxyHeaderSent;
    /** Made when the request must wait for a back end below its max-connections; null until then. */
    ExchangeQueue queue;
    long sentNanos;
    final ExchangeTimeouts timeouts = new ExchangeTimeouts(this);

    HttpExchange(FrontendHandler conn, Head request) {
        this(conn, request, request != null && request.arrivalNanos != 0 ? request.arrivalNanos : System.nanoTime());
    }

    /** @param startNanos when the request's first byte arrived: access log durations count from it */
    HttpExchange(FrontendHandler conn, Head request, long startNanos) {
        this.conn = conn;
        this.request = request;
        this.startNanos = startNanos;
        this.method = request == null || request.method == null ? "-" : request.method;
        this.clientHttp10 = request != null && request.http10;
        this.clientVersion = request == null || request.length == 0 ? null : conn.stream ? "HTTP/2.0" : request.versionText();
        this.end = new ExchangeEnd(this);
        this.response = new ResponseRelay(this);
    }

    // ---------------------------------------------------------------- RequestView

    @Override
    public String clientAddress() {
        return conn.clientIp;
    }

    /** The request target for logs and path affinity; "-" when there is no request line. */
    @Override
    public String target() {
        String u = uri;
        if (u == null) {
            u = request == null || request.length == 0 ? "-" : request.uri();
            uri = u;
        }
        return u;
    }

    /**
     * The normalised path, so that spellings of one path are one target for uri-hash and lard, or the
     * value of the key the request's route chose. Routed requests take the router's; without routes
     * it is made here, only for the pools that key on the path (a plain path costs one scan, no copy;
     * see {@link PathNormalizer#pathKey}).
     */
    @Override
    public String affinityPath() {
        String p = affinityPath;
        if (p == null) affinityPath = p = PathNormalizer.pathKey(target());
        return p;
    }

    // ---------------------------------------------------------------- RouteRequest

    @Override
    public String method() {
        return method;
    }

    @Override
    public String host() {
        return request.host();
    }

    @Override
    public String header(String name) {
        return request.header(name);
    }

    @Override
    public String cookie(String name) {
        return request.cookie(name);
    }

    @Override
    public byte[] clientAddressBytes() {
        return ClientAddress.of(conn.ctx.channel()) instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getAddress() : null;
    }

    @Override
    public long stickCounter(String pool, RouteConfig.Counter counter) {
        PersistenceState.PoolPersistence p = conn.state.persistence().pool(pool);
        return p == null ? 0 : SessionPersistence.counter(this, p, counter, System.nanoTime());
    }

    /** The request's edits, made on first use. */
    HeadEdits requestEdits() {
        HeadEdits e = requestEdits;
        if (e == null) requestEdits = e = new HeadEdits();
        return e;
    }

    /** The response's edits, made on first use. */
    HeadEdits responseEdits() {
        HeadEdits e = responseEdits;
        if (e == null) responseEdits = e = new HeadEdits();
        return e;
    }

    /**
     * mTLS: the verified client-certificate subject goes to the back end in the configured header,
     * and whatever the client itself sent in that header never does.
     */
    private void clientCertificate() {
        TlsPeer peer = conn.connection().attr(TlsPeer.KEY).get();
        if (peer == null || peer.header() == null) return;
        HeadEdits e = requestEdits().remove(peer.header());
        if (peer.subject() != null) e.add(peer.header(), peer.subject());
    }

    boolean isHeadRequest() {
        return "HEAD".equals(method);
    }

    // ---------------------------------------------------------------- start

    /** Validates the head and dispatches; answers by itself what it cannot forward. */
    void start() {
        conn.state.exchangeStarted();
        Head req = request;
        if (req.failed()) {
            end.rejectMalformed(req);
            return;
        }
        clientKeepAlive = req.keepAlive && !conn.state.draining();
        idempotent = isIdempotent(method);
        webSocket = req.webSocketUpgrade();
        if (!clientHttp10 && !req.hasHost) {
            end.respondError(HttpResponseStatus.BAD_REQUEST, "missing Host header", true);
            return;
        }
        if (req.expect != Head.EXPECT_NONE) {
            if (req.expect != Head.EXPECT_CONTINUE || clientHttp10) {
                end.respondError(HttpResponseStatus.EXPECTATION_FAILED, "unsupported expectation", true);
                return;
            }
            // We answer 100 ourselves once a back end is connected; the back end sees a plain request.
            expectContinue = true;
        }
        if (conn.listener.tls() != null) clientCertificate();
        Router router = conn.state.routing().router(conn.listener.name());
        String poolName = router == null ? conn.listener.defaultPool() : ExchangeRouting.route(this, router);
        if (poolName == null) return; // answered by the route
        dispatch = conn.state.dispatch(poolName);
        poolConfig = conn.state.poolConfig(poolName);
        if (dispatch == null || poolConfig == null) {
            end.respondError(HttpResponseStatus.SERVICE_UNAVAILABLE, "no pool '" + poolName + "'", false);
            return;
        }
        attempts = dispatch.attempts(poolConfig.retries(), poolConfig.retryOn());
        PersistenceState.PoolPersistence persistence = conn.state.persistence().pool(poolName);
        if (persistence != null) {
            session = new SessionPersistence(this, persistence);
            session.onRequest(System.nanoTime(), System.currentTimeMillis() / 1000);
        }
        requestBodyLimit = poolConfig.maxBodyBytes();
        if (requestBodyLimit > 0 && req.contentLength > requestBodyLimit) {
            end.respondError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "request body larger than " + requestBodyLimit + " bytes", true);
            return;
        }
        requestChunked = req.chunked;
        if (bodyRateChecked() && (req.chunked || req.contentLength > 0)) {
            timeouts.set(ExchangeTimeouts.Deadline.BODY_RATE, System.nanoTime() + conn.listener.bodyRateWindow().toNanos()); // from now, not the head's first byte
        }
        dispatch();
    }

    /**
     * Whether the listener's {@code min-body-rate} applies: not to an HTTP/2 stream, whose client sends
     * only as far as the windows we grant (shared with the connection's other streams) allow, so its
     * rate says more about us than about the client; a stalled HTTP/2 client is bounded by its
     * connection's idle timeout and the stream limit instead.
     */
    boolean bodyRateChecked() {
        return conn.listener.minBodyRate() > 0 && !conn.stream;
    }

    /** A guard refused the request: answer its verdict and close, nothing forwarded. */
    void refuse(Verdict v) {
        conn.state.exchangeStarted();
        end.refuse(v);
    }

    private static boolean isIdempotent(String m) {
        return switch (m) {
            case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
            default -> false;
        };
    }

    // ---------------------------------------------------------------- choosing (connecting: BackendConnector)

    void dispatch() {
        if (classConfig == null) resolveClass();
        while (phase == Phase.DISPATCHING && !conn.closing) {
            attempts.begin();
            long now = System.nanoTime();
            PickContext pc = dispatch.forClass(new PickContext(dispatch.pool().algorithm().affinityKey().hash(this), now,
                    ThreadLocalRandom.current(), attempts.excluded()), classConfig.tags());
            // Fairness: while others wait for a slot, a new request queues behind them instead of
            // taking the slot that was freed for them. A woken waiter is the one it was freed for.
            boolean woken = queue != null && queue.takeWoken();
            Backend b = !woken && dispatch.mustQueue(classRank, now) ? null
                    : session == null ? dispatch.reserve(pc) : dispatch.reserve(session.preferred, pc);
            if (b == null) {
                if (dispatch.busy(pc)) {
                    attempts.unbegin(); // waiting is not an attempt
                    if (queue == null) queue = new ExchangeQueue(this);
                    queue.enqueue(now, pc);
                    return;
                }
                String why = attempts.triedSome() ? "all back ends tried failed in pool '" + dispatch.pool().name() + "'"
                        : "no back end available in pool '" + dispatch.pool().name() + "'";
                end.cause(end.cause().equals("-") ? why : why + "; last: " + end.cause());
                end.respondError(attempts.triedSome() && lastFailure != null ? lastFailure : HttpResponseStatus.SERVICE_UNAVAILABLE, why, false);
                return;
            }
            // Counted from the pick, not from the connection: requests still connecting count
            // against max-connections and least-conn.
            backend = b;
            reserved = true;
            dispatch.charge(b, cost);
            if (!BackendConnector.connect(this, b)) return; // else: the connect failed at once, pick again
        }
    }

    /** The request's class in its pool: an unknown name (routing checks names at load) is the default class. */
    private void resolveClass() {
        int rank = poolConfig.classRank(serviceClass);
        if (rank < 0) rank = poolConfig.classRank(null);
        classRank = rank;
        classConfig = poolConfig.classes().get(rank);
    }

    /** Accounts the attempt on the reserved back end, once. */
    void complete(Outcome outcome, long latencyNanos, String detail) {
        if (!reserved) return;
        reserved = false;
        long now = System.nanoTime();
        dispatch.complete(backend, outcome, latencyNanos, bytesIn, response.bytesOut, now, detail);
        if (session != null && outcome.failure()) session.attemptFailed(now);
    }

    /** The back end can take body pieces now (attached, body not finished). */
    boolean wantsBody() {
        return backendChannel != null && !requestDone && phase != Phase.DONE;
    }

    /** Whether the client should not be read: the back end cannot take what it would send. */
    boolean backendSaturated() {
        return wantsBody() && !backendChannel.isWritable();
    }

    void forwardBody(Object msg) {
        if (!(msg instanceof Body content)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (content.failure != null) {
            content.release();
            end.cause("malformed request body: " + content.failure);
            end.failExchange(HttpResponseStatus.BAD_REQUEST, "malformed request body");
            return;
        }
        int n = content.content().readableBytes();
        bytesIn += n;
        timeouts.bodyWindowBytes += n;
        if (requestBodyLimit > 0 && bytesIn > requestBodyLimit) {
            content.release();
            end.cause("request body exceeded " + requestBodyLimit + " bytes");
            end.failExchange(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body larger than " + requestBodyLimit + " bytes");
            return;
        }
        if (n > 0) bodySent = true;
        boolean last = content.last;
        Http1Encoder.writeBody(backendChannel, content, requestChunked);
        if (!backendChannel.isWritable()) {
            conn.clientReads(false); // back end saturated: stop reading the client
            if (timeouts.uploadStalledSince == 0) timeouts.uploadStalledSince = conn.timers().now() | 1;
        }
        if (last) {
            requestDone = true;
            requestSent = true;
            backendChannel.flush();
            timeouts.armResponse();
        }
    }

    /** The back end drained its socket buffer: the upload moves again. */
    void backendWritable() {
        timeouts.uploadStalledSince = 0;
        conn.clientReads(true);
    }

    /** The back-end connection broke before the response head: replay, or answer 502. */
    void closedBeforeResponse(String what) {
        Backend b = backend;
        end.cause(b.name() + " " + what + " before response" + (reusedConnection ? " (reused connection)" : ""));
        Outcome o = attempts.closedBeforeResponse(b, reusedConnection);
        if (o == Outcome.SUSPECT_REQUEST) {
            end.cause(end.cause() + "; it failed on another back end too: the request is the suspect");
            dispatch.forgive(attempts.firstCharged());
        }
        complete(o, System.nanoTime() - sentNanos, what);
        boolean replayable = !bodySent && (reusedConnection || idempotent);
        if (attempts.mayRetry(o, replayable)) {
            lastFailure = HttpResponseStatus.BAD_GATEWAY;
            redispatch();
            return;
        }
        end.respondError(HttpResponseStatus.BAD_GATEWAY, "back end closed the connection", !requestDone);
    }

    /**
     * The back end answered with a status that {@code retry-on} lists: when the request may go to
     * another back end, closes this connection, accounts the attempt as a server error and dispatches
     * again (the head is not relayed).
     *
     * @return true when redispatched; false to relay the response as usual
     */
    boolean retriedOnStatus(int status) {
        if (!attempts.retriesOn(status) || response.relayedInterim) return false;
        Outcome o = attempts.failedWithStatus(backend, status);
        if (!attempts.mayRetry(o, !bodySent && idempotent)) return false;
        end.cause(backend.name() + " answered " + status);
        timeouts.clear(ExchangeTimeouts.Deadline.RESPONSE);
        end.releaseBackend(false);
        complete(o, System.nanoTime() - sentNanos, "status " + status);
        lastFailure = HttpResponseStatus.valueOf(status);
        redispatch();
        return true;
    }

    /**
     * No response head came in time (the connection is released and the attempt accounted): when
     * {@code retry-on} has {@code response-timeout} and the request may go to another back end,
     * dispatches again.
     *
     * @return true when redispatched; false to answer 504
     */
    boolean retriedAfterTimeout() {
        if (response.relayedInterim) return false;
        if (!attempts.mayRetry(attempts.responseTimedOut(backend), !bodySent && idempotent)) return false;
        lastFailure = HttpResponseStatus.GATEWAY_TIMEOUT;
        redispatch();
        return true;
    }

    private void redispatch() {
        if (log.isDebugEnabled()) log.debug("redispatching {} {}: {}", method, target(), end.cause());
        phase = Phase.DISPATCHING;
        dispatch();
    }

    /** Releases a pending response head (the exchange is dropped with its connection). */
    void discard() {
        Object h = response.pendingHead;
        if (h != null) {
            response.pendingHead = null;
            ReferenceCountUtil.release(h);
        }
    }
}
