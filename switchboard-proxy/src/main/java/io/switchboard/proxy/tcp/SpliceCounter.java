package io.switchboard.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.function.IntConsumer;

/**
 * Counts the bytes a spliced epoll channel moves out of its socket. splice(2) never hands the bytes
 * to the pipeline, but Netty's epoll channel reports every splice into its pipe to the channel's
 * receive-buffer handle ({@code lastBytesRead}), as it does for ordinary reads: this allocator wraps
 * the channel's own and passes those counts on once {@link #start()} was called (before that the
 * session counts the buffers it relays itself). Install it before the channel's first read: the
 * channel keeps the handle it made then.
 *
 * <p>Threading: the channel's event loop.
 */
@SuppressWarnings("deprecation") // RecvByteBufAllocator.Handle: deprecated in Netty 4.2 for ExtendedHandle, which the epoll channel asks for
final class SpliceCounter implements RecvByteBufAllocator {
    private final RecvByteBufAllocator inner;
    private final IntConsumer bytes;
    private boolean counting;

    SpliceCounter(RecvByteBufAllocator inner, IntConsumer bytes) {
        this.inner = inner;
        this.bytes = bytes;
    }

    /** From now on, every byte the channel takes from its socket is counted (it is spliced, not read). */
    void start() {
        counting = true;
    }

    @Override
    public Handle newHandle() {
        return new Counting((ExtendedHandle) inner.newHandle());
    }

    private final class Counting implements ExtendedHandle {
        private final ExtendedHandle h;

        Counting(ExtendedHandle h) {
            this.h = h;
        }

        @Override
        public void lastBytesRead(int n) {
            if (counting && n > 0) bytes.accept(n);
            h.lastBytesRead(n);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) { return h.allocate(alloc); }

        @Override
        public int guess() { return h.guess(); }

        @Override
        public void reset(ChannelConfig config) { h.reset(config); }

        @Override
        public void incMessagesRead(int n) { h.incMessagesRead(n); }

        @Override
        public int lastBytesRead() { return h.lastBytesRead(); }

        @Override
        public void attemptedBytesRead(int n) { h.attemptedBytesRead(n); }

        @Override
        public int attemptedBytesRead() { return h.attemptedBytesRead(); }

        @Override
        public boolean continueReading() { return h.continueReading(); }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreData) { return h.continueReading(maybeMoreData); }

        @Override
        public void readComplete() { h.readComplete(); }
    }
}
