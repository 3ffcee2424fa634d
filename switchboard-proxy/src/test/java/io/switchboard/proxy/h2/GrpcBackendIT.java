package io.switchboard.proxy.h2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.switchboard.config.BackendProtocol;
import io.switchboard.config.ServerConfig;
import io.switchboard.proxy.ProxyFixture;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC through Switchboard: a real gRPC client (h2c with prior knowledge) to the proxy, and a pool with
 * {@code protocol: h2} in front of a real gRPC server. Every call type, an error status with its
 * description (a trailer), and a large message. Messages are UTF-8 strings (no protoc).
 */
class GrpcBackendIT {
    private static final String SERVICE = "test.Echo";
    private static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> UNARY = method("Unary", MethodDescriptor.MethodType.UNARY);
    private static final MethodDescriptor<String, String> SERVER_STREAM = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    private static final MethodDescriptor<String, String> CLIENT_STREAM = method("Join", MethodDescriptor.MethodType.CLIENT_STREAMING);
    private static final MethodDescriptor<String, String> BIDI = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);

    private Server server;
    private ProxyFixture f;
    private ManagedChannel channel;

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    }

    @BeforeEach
    void setUp() throws Exception {
        ServerServiceDefinition echo = ServerServiceDefinition.builder(SERVICE)
                .addMethod(UNARY, ServerCalls.asyncUnaryCall((req, out) -> {
                    if (req.startsWith("missing ")) {
                        out.onError(Status.NOT_FOUND.withDescription("no such thing: " + req.substring(8)).asRuntimeException());
                        return;
                    }
                    out.onNext("echo:" + req);
                    out.onCompleted();
                }))
                .addMethod(SERVER_STREAM, ServerCalls.asyncServerStreamingCall((req, out) -> {
                    int n = Integer.parseInt(req);
                    for (int i = 0; i < n; i++) out.onNext("message " + i);
                    out.onCompleted();
                }))
                .addMethod(CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(out -> new StreamObserver<String>() {
                    private final List<String> got = new ArrayList<>();

                    @Override
                    public void onNext(String v) {
                        got.add(v);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onNext(got.size() + ":" + String.join(",", got));
                        out.onCompleted();
                    }
                }))
                .addMethod(BIDI, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String v) {
                        out.onNext("re:" + v);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .build();
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(echo).build().start();
        f = new ProxyFixture();
        f.protocol = BackendProtocol.H2;
        f.start(List.of(new ServerConfig("grpc", "127.0.0.1", server.getPort(), 1, null)));
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", f.port()).usePlaintext().build();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (channel != null) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        if (f != null) f.close();
        if (server != null) server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static CallOptions options() {
        return CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    @Test
    void unary() {
        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, options(), "hello")).isEqualTo("echo:hello");
        assertThat(ClientCalls.blockingUnaryCall(channel, UNARY, options(), "again")).isEqualTo("echo:again");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(f.accessLog).hasSize(2)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(200)).allSatisfy(r -> assertThat(r.backend()).contains("grpc")));
    }

    @Test
    void serverStreamingHundredMessages() {
        Iterator<String> it = ClientCalls.blockingServerStreamingCall(channel, SERVER_STREAM, options(), "100");
        List<String> got = new ArrayList<>();
        it.forEachRemaining(got::add);
        assertThat(got).hasSize(100).startsWith("message 0").endsWith("message 99");
    }

    @Test
    void clientStreaming() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncClientStreamingCall(channel.newCall(CLIENT_STREAM, options()), observer(reply));
        for (int i = 0; i < 10; i++) requests.onNext("p" + i);
        requests.onCompleted();
        assertThat(reply.get(30, TimeUnit.SECONDS)).isEqualTo("10:p0,p1,p2,p3,p4,p5,p6,p7,p8,p9");
    }

    /** Each reply must come back before the next message is sent: both directions stream at once. */
    @Test
    void bidiStreamingPingPong() throws Exception {
        LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
        CompletableFuture<String> done = new CompletableFuture<>();
        StreamObserver<String> requests = ClientCalls.asyncBidiStreamingCall(channel.newCall(BIDI, options()), new StreamObserver<>() {
            @Override
            public void onNext(String v) {
                replies.add(v);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                done.complete("completed");
            }
        });
        for (int i = 0; i < 5; i++) {
            requests.onNext("ping " + i);
            assertThat(replies.poll(20, TimeUnit.SECONDS)).isEqualTo("re:ping " + i);
        }
        requests.onCompleted();
        assertThat(done.get(20, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void errorStatusArrivesWithItsDescription() {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
                () -> ClientCalls.blockingUnaryCall(channel, UNARY, options(), "missing widget"));
        assertThat(e).isNotNull();
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        assertThat(e.getStatus().getDescription()).isEqualTo("no such thing: widget");
    }

    @Test
    void oneMegabyteMessage() {
        String big = "x".repeat(1 << 20);
        String reply = ClientCalls.blockingUnaryCall(channel, UNARY, options(), big);
        assertThat(reply).hasSize(big.length() + 5).startsWith("echo:xxx").endsWith("xxx");
    }

    private static StreamObserver<String> observer(CompletableFuture<String> reply) {
        return new StreamObserver<>() {
            @Override
            public void onNext(String v) {
                reply.complete(v);
            }

            @Override
            public void onError(Throwable t) {
                reply.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                reply.complete("(no reply)");
            }
        };
    }
}
