package io.switchboard.proxy.probe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
@ExtendWith(NoLeaksExtension.class)
class ZzLeakSanityIT {
    @Test void leak() { io.netty.buffer.ByteBufAllocator.DEFAULT.directBuffer(64).writeInt(1); }
}
