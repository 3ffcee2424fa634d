package io.switchboard.proxy.probe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which leak reports {@link NoLeaksExtension} leaves to Netty's transport: only those that never reached a pipeline. */
class NoLeaksExtensionTest {
    private static final String CREATED_BY_A_READ = "Created at:\n"
            + "\tio.netty.buffer.PooledByteBufAllocator.newDirectBuffer(PooledByteBufAllocator.java:408)\n"
            + "\tio.netty.channel.uring.IoUringRecvByteAllocatorHandle.allocate(IoUringRecvByteAllocatorHandle.java:57)\n"
            + "\tio.netty.channel.uring.AbstractIoUringStreamChannel$IoUringStreamUnsafe.scheduleRead0(AbstractIoUringStreamChannel.java:444)\n";

    @Test
    void aReadBufferThatNoHandlerSawIsTheTransports() {
        assertThat(NoLeaksExtension.isTransportReadBuffer("Recent access records: \n" + CREATED_BY_A_READ)).isTrue();
    }

    @Test
    void aReadBufferThatAHandlerSawIsOurs() {
        String touched = "Recent access records: \n#1:\n\tHint: 'frontend' will handle the message from this point.\n"
                + "\tio.netty.channel.DefaultChannelPipeline.touch(DefaultChannelPipeline.java:115)\n" + CREATED_BY_A_READ;
        assertThat(NoLeaksExtension.isTransportReadBuffer(touched)).isFalse();
    }

    @Test
    void aBufferOurCodeAllocatedIsOurs() {
        assertThat(NoLeaksExtension.isTransportReadBuffer("Recent access records: \nCreated at:\n"
                + "\tio.netty.buffer.PooledByteBufAllocator.newDirectBuffer(PooledByteBufAllocator.java:408)\n"
                + "\tio.switchboard.proxy.http.HeadWriter.response(HeadWriter.java:150)\n")).isFalse();
    }
}
