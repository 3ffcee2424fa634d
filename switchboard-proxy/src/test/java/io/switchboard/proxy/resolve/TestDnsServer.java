package io.switchboard.proxy.resolve;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A tiny authoritative name server on 127.0.0.1, port 0, over UDP, whose answers a test sets and
 * changes: an A record with a TTL, or an error code. A name it has no answer for is NXDOMAIN; an AAAA
 * question for a known name gets an empty NOERROR answer (no IPv6 address). It counts the questions
 * it is asked, per name.
 *
 * <p>Threading: answers may be set from any thread; the server answers on its own event loop.
 */
final class TestDnsServer implements AutoCloseable {
    private record Answer(InetAddress address, long ttlSeconds, DnsResponseCode code) {}

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    /** The names asked, lower case without the root's dot, one entry per question. */
    final CopyOnWriteArrayList<String> asked = new CopyOnWriteArrayList<>();
    private final Channel channel;

    TestDnsServer() throws InterruptedException {
        channel = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Responder());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    void answer(String name, String ip, long ttlSeconds) throws UnknownHostException {
        answers.put(key(name), new Answer(InetAddress.getByName(ip), ttlSeconds, DnsResponseCode.NOERROR));
    }

    void fail(String name, DnsResponseCode code) {
        answers.put(key(name), new Answer(null, 0, code));
    }

    long askedFor(String name) {
        String k = key(name);
        return asked.stream().filter(k::equals).count();
    }

    private static String key(String name) {
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        return n.toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            String name = key(question.name());
            asked.add(name);
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            response.setAuthoritativeAnswer(true);
            response.addRecord(DnsSection.QUESTION, question);
            Answer a = answers.get(name);
            if (a == null) {
                response.setCode(DnsResponseCode.NXDOMAIN);
            } else if (a.code() != DnsResponseCode.NOERROR) {
                response.setCode(a.code());
            } else if (question.type() == DnsRecordType.A) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, a.ttlSeconds(),
                        Unpooled.wrappedBuffer(a.address().getAddress())));
            }
            ctx.writeAndFlush(response);
        }
    }
}
