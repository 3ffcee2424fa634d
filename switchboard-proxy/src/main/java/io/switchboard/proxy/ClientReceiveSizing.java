package io.switchboard.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Receive-buffer sizing of accepted client connections: the same policy as Netty's default ({@code
 * AdaptiveRecvByteBufAllocator} with 64 / 2048 / 65536 bytes and 16 reads per read loop), with a
 * smaller per-connection handle. A channel keeps its handle from its first read until it closes, so an
 * idle keep-alive connection carries it: Netty's is three objects (the handle, its size calculator and
 * a "maybe more data" supplier, about 115 bytes of heap), this one is one object of about 32 (it is its
 * own supplier).
 *
 * <p>The allocator itself holds nothing and is shared by every accepted channel.
 *
 * <p>Threading: a handle is used by its channel's event loop only; the allocator is immutable.
 */
final class ClientReceiveSizing implements RecvByteBufAllocator {
    /** Buffer sizes a handle moves between: 16 to 496 in steps of 16, then powers of two. */
    private static final int[] SIZES = sizes();
    private static final int MIN_INDEX = indexOf(64);
    private static final int INITIAL_INDEX = indexOf(2048);
    private static final int MAX_INDEX = indexOf(65536);
    /** Steps up after a read that filled its buffer, down after two reads that used much less. */
    private static final int STEP_UP = 4;
    private static final int STEP_DOWN = 1;
    static final int MAX_READS_PER_LOOP = 16;

    static final ClientReceiveSizing INSTANCE = new ClientReceiveSizing();

    private ClientReceiveSizing() {}

    private static int[] sizes() {
        int n = 0;
        int[] t = new int[64];
        for (int i = 16; i < 512; i += 16) t[n++] = i;
        for (int i = 512; i > 0; i <<= 1) t[n++] = i;
        int[] out = new int[n];
        System.arraycopy(t, 0, out, 0, n);
        return out;
    }

    /** The index of the smallest table size that is at least {@code size}. */
    private static int indexOf(int size) {
        for (int i = 0; i < SIZES.length; i++) {
            if (SIZES[i] >= size) return i;
        }
        return SIZES.length - 1;
    }

    @Override
    public Handle newHandle() {
        return new SizingHandle();
    }

    /** One channel's read loop bookkeeping and its next buffer size. */
    @SuppressWarnings("deprecation") // ExtendedHandle extends the deprecated Handle, which the transports still call
    static final class SizingHandle implements ExtendedHandle, UncheckedBooleanSupplier {
        private ChannelConfig config;
        private int readsInLoop;
        private int bytesInLoop;
        private int attempted;
        private int last;
        private byte index = (byte) INITIAL_INDEX;
        private boolean shrinkNext;

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            return SIZES[index];
        }

        @Override
        public void reset(ChannelConfig config) {
            this.config = config;
            readsInLoop = 0;
            bytesInLoop = 0;
        }

        @Override
        public void incMessagesRead(int numMessages) {
            readsInLoop += numMessages;
        }

        @Override
        public void lastBytesRead(int bytes) {
            if (bytes == attempted) record(bytes); // the buffer was filled: grow at once
            last = bytes;
            if (bytes > 0) bytesInLoop += bytes;
        }

        @Override
        public int lastBytesRead() {
            return last;
        }

        @Override
        public boolean continueReading() {
            return continueReading(this);
        }

        /** Whether the last read filled what it was offered, so more data may be waiting (the default supplier). */
        @Override
        public boolean get() {
            return attempted == last;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return config.isAutoRead() && maybeMoreDataSupplier.get() && readsInLoop < MAX_READS_PER_LOOP && bytesInLoop > 0;
        }

        @Override
        public void readComplete() {
            record(totalBytesRead());
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            attempted = bytes;
        }

        @Override
        public int attemptedBytesRead() {
            return attempted;
        }

        private int totalBytesRead() {
            return bytesInLoop < 0 ? Integer.MAX_VALUE : bytesInLoop;
        }

        private void record(int size) {
            if (size <= SIZES[Math.max(0, index - STEP_DOWN)]) {
                if (shrinkNext) {
                    index = (byte) Math.max(index - STEP_DOWN, MIN_INDEX);
                    shrinkNext = false;
                } else {
                    shrinkNext = true;
                }
            } else if (size >= SIZES[index]) {
                index = (byte) Math.min(index + STEP_UP, MAX_INDEX);
                shrinkNext = false;
            }
        }
    }
}
