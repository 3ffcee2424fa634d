package io.switchboard.proxy.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.proxy.Transport;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small real HTTP/1.1 back end that says who it is: the demo's servers and the integration tests'.
 *
 * <p>Endpoints: any path answers {@code <name>\n} (with header {@code X-Backend: name}) after the
 * configured latency, or 500 with the configured failure rate; {@code /health} answers 200 (or 503
 * when {@link #setHealthy} false); {@code /bytes?n=N} streams N bytes with back-pressure;
 * {@code /upload} reads a body of any size without keeping it and answers its length;
 * {@code /delay?ms=N} answers after N ms; {@code /session} also sets a new
 * {@code JSESSIONID=<name>-<n>} cookie (an application session, for persistence). Request heads are recorded for tests
 * ({@link #requests()}, bounded).
 *
 * <p>Threading: Netty event loops; counters are atomic.
 */
public final class DemoBackend implements AutoCloseable {
    private final String name;
    private final Transport transport;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private volatile long latencyMillis;
    private volatile double failureRate;
    private volatile boolean healthy = true;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger openConnections = new AtomicInteger();
    private final AtomicLong requestCount = new AtomicLong();
    private final AtomicInteger inProgress = new AtomicInteger();
    private final AtomicInteger maxInProgress = new AtomicInteger();
    private final ConcurrentLinkedDeque<HttpRequest> recorded = new ConcurrentLinkedDeque<>();
    private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private Channel server;

    /** @param group an event loop group of {@code transport}, or null to own a one-thread group */
    public DemoBackend(String name, Transport transport, EventLoopGroup group, long latencyMillis, double failureRate) {
        this.name = name;
        this.transport = transport;
        this.group = group != null ? group : transport.newGroup(1, r -> {
            Thread t = new Thread(r, "backend-" + name);
            t.setDaemon(true);
            return t;
        });
        this.ownsGroup = group == null;
        this.latencyMillis = latencyMillis;
        this.failureRate = failureRate;
    }

    public DemoBackend(String name) {
        this(name, Transport.select("auto"), null, 0, 0);
    }

    /** Binds on host:port (port 0 picks one). */
    public DemoBackend start(String host, int port) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                // a back end restarted on its old port must bind while connections of its previous life linger in TIME_WAIT
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        children.add(ch);
                        openConnections.incrementAndGet();
                        ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind(host, port).sync().channel();
        return this;
    }

    /**
     * Runs one back end as a process of its own, so that tests can kill it for real (SIGKILL) and
     * start it again on the same port: {@code DemoBackend NAME [HOST [PORT [LATENCY_MS]]]} (defaults
     * 127.0.0.1, 0 = any free port, 0 ms). Prints {@code NAME listening on HOST:PORT} once bound and runs
     * until the process is stopped.
     */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 1 || args.length > 4) {
            System.err.println("usage: DemoBackend NAME [HOST [PORT [LATENCY_MS]]]");
            System.exit(2);
        }
        String host = args.length > 1 ? args[1] : "127.0.0.1";
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        long latency = args.length > 3 ? Long.parseLong(args[3]) : 0;
        DemoBackend b = new DemoBackend(args[0], Transport.select("auto"), null, latency, 0).start(host, port);
        Runtime.getRuntime().addShutdownHook(new Thread(b::close, "backend-stop"));
        System.out.println(b.name() + " listening on " + b.host() + ":" + b.port());
        System.out.flush();
        b.server.closeFuture().sync();
    }

    public String name() { return name; }
    public int port() { return ((InetSocketAddress) server.localAddress()).getPort(); }
    public String host() { return ((InetSocketAddress) server.localAddress()).getAddress().getHostAddress(); }
    /** Connections accepted since start. */
    public int connections() { return connections.get(); }
    public int openConnections() { return openConnections.get(); }
    public long requestCount() { return requestCount.get(); }
    /** The most requests this back end was ever working on at the same time (between head and answer). */
    public int maxInProgress() { return maxInProgress.get(); }
    public List<HttpRequest> requests() { return List.copyOf(recorded); }
    public void setLatencyMillis(long ms) { this.latencyMillis = ms; }
    public void setFailureRate(double rate) { this.failureRate = rate; }
    public void setHealthy(boolean healthy) { this.healthy = healthy; }

    /** Stops listening and closes every open connection, like a crashed server. */
    @Override
    public void close() {
        if (server != null) server.close().syncUninterruptibly();
        children.close().syncUninterruptibly();
        if (ownsGroup) group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private HttpRequest current;
        private long uploaded;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest req) {
                current = req;
                uploaded = 0;
                requestCount.incrementAndGet();
                recorded.addLast(req);
                while (recorded.size() > 1000) recorded.pollFirst();
                if (HttpUtil.is100ContinueExpected(req)) {
                    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
                }
            }
            if (msg instanceof HttpContent c) {
                uploaded += c.content().readableBytes();
                if (msg instanceof LastHttpContent) respond(ctx, current, uploaded);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpRequest req, long bodyLength) {
            QueryStringDecoder q = new QueryStringDecoder(req.uri());
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            String path = q.path();
            long delay = latencyMillis;
            if (path.equals("/delay")) delay = Long.parseLong(param(q, "ms", "0"));
            maxInProgress.accumulateAndGet(inProgress.incrementAndGet(), Math::max);
            Runnable answer = () -> {
                inProgress.decrementAndGet();
                if (!ctx.channel().isActive()) return;
                if (path.equals("/bytes")) {
                    streamBytes(ctx, Long.parseLong(param(q, "n", "0")), keepAlive);
                    return;
                }
                HttpResponseStatus status = HttpResponseStatus.OK;
                String body = name + "\n";
                if (path.equals("/health")) {
                    status = healthy ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE;
                    body = healthy ? "ok\n" : "unhealthy\n";
                } else if (path.equals("/upload")) {
                    body = Long.toString(bodyLength) + "\n";
                } else if (failureRate > 0 && ThreadLocalRandom.current().nextDouble() < failureRate) {
                    status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                    body = name + " failed (simulated)\n";
                }
                FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
                HttpHeaders h = resp.headers();
                h.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                h.set(HttpHeaderNames.CONTENT_LENGTH, resp.content().readableBytes());
                h.set("X-Backend", name);
                h.set("X-Request-Target", req.uri()); // lets a test match answers to requests
                if (path.equals("/session")) h.set(HttpHeaderNames.SET_COOKIE, "JSESSIONID=" + name + "-" + requestCount.get() + "; Path=/");
                finish(ctx, resp, keepAlive);
            };
            if (delay > 0) ctx.executor().schedule(answer, delay, TimeUnit.MILLISECONDS); else answer.run();
        }

        private void streamBytes(ChannelHandlerContext ctx, long n, boolean keepAlive) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            head.headers().set(HttpHeaderNames.CONTENT_LENGTH, n);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            head.headers().set("X-Backend", name);
            if (!keepAlive) head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.write(head);
            new Streamer(ctx, n, keepAlive).run();
        }

        private String param(QueryStringDecoder q, String key, String dflt) {
            List<String> v = q.parameters().get(key);
            return v == null || v.isEmpty() ? dflt : v.get(0);
        }

        private void finish(ChannelHandlerContext ctx, FullHttpResponse resp, boolean keepAlive) {
            if (!keepAlive) {
                resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(resp).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(resp);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Writes a large body in 64 KiB chunks, only while the channel is writable (bounded memory). */
    private static final class Streamer implements Runnable {
        private static final byte[] CHUNK = new byte[64 * 1024];
        private final ChannelHandlerContext ctx;
        private long remaining;
        private final boolean keepAlive;

        Streamer(ChannelHandlerContext ctx, long n, boolean keepAlive) {
            this.ctx = ctx;
            this.remaining = n;
            this.keepAlive = keepAlive;
        }

        @Override
        public void run() {
            Channel ch = ctx.channel();
            while (remaining > 0 && ch.isActive()) {
                if (!ch.isWritable()) {
                    ch.flush();
                    // resume when the socket drains
                    ctx.executor().schedule(this, 1, TimeUnit.MILLISECONDS);
                    return;
                }
                int len = (int) Math.min(CHUNK.length, remaining);
                ByteBuf buf = ctx.alloc().buffer(len).writeBytes(CHUNK, 0, len);
                remaining -= len;
                ctx.write(new DefaultHttpContent(buf));
            }
            if (!ch.isActive()) return;
            var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!keepAlive) f.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
