package io.switchboard.cluster.vip;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.cluster.VipAssignment;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@link VipHolder}'s steps and its failure handling, with recorded commands instead of processes. */
class VipHolderTest {
    private final List<String> ran = new ArrayList<>();

    private final class Recorder implements VipHolder.Commands {
        String listing = "";
        boolean missing;

        @Override
        public VipHolder.Outcome run(List<String> argv) throws IOException {
            ran.add(String.join(" ", argv));
            if (missing) {
                throw new IOException("Cannot run program \"" + argv.getFirst() + "\": error=2, No such file or directory");
            }
            return new VipHolder.Outcome(0, argv.contains("show") ? listing : "");
        }

        @Override
        public void spawn(List<String> argv, Consumer<String> onFailure) {
            ran.add(String.join(" ", argv));
            if (missing) {
                onFailure.accept("Cannot run program \"arping\"");
            }
        }
    }

    @Test
    void removalsFirstThenAddsWithAnAnnouncementAndCloseDropsWhatItAdded() {
        Recorder r = new Recorder();
        r.listing = "2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\n"
                + "2: eth0    inet 10.0.0.101/24 scope global secondary eth0\n";
        VipHolder h = new VipHolder("eth0", List.of("10.0.0.100/24", "10.0.0.101/24", "10.0.0.102"), r);
        h.start();
        h.apply(new VipAssignment.Diff(List.of("10.0.0.100/24", "10.0.0.102"), List.of()), 4);
        h.apply(new VipAssignment.Diff(List.of(), List.of("10.0.0.100/24")), 5);
        h.close();

        assertThat(ran).containsExactly(
                "sysctl -q -w net/ipv4/conf/eth0/promote_secondaries=1",
                "ip -o addr show dev eth0",
                "ip addr del 10.0.0.101/24 dev eth0",
                "ip addr add 10.0.0.100/24 dev eth0",
                "ip addr add 10.0.0.102/32 dev eth0",
                "arping -U -c 1 -I eth0 10.0.0.100", // the first now, four more a second apart
                "arping -U -c 1 -I eth0 10.0.0.102",
                "ip addr del 10.0.0.100/24 dev eth0",
                "arping -U -c 1 -I eth0 10.0.0.102", // every view re-announces what is still held
                "ip addr del 10.0.0.102/32 dev eth0");
        assertThat(h.held()).isEmpty();
    }

    @Test
    void missingToolsAreLoggedAndNothingIsHeld() {
        Recorder r = new Recorder();
        r.missing = true;
        VipHolder h = new VipHolder("eth0", List.of("10.0.0.100/24"), r);
        h.start();
        h.apply(new VipAssignment.Diff(List.of("10.0.0.100/24"), List.of()), 1);
        assertThat(h.held()).isEmpty();
        h.close();
    }

    @Test
    void listedMatchesAddressesNotBroadcastsOrPrefixes() {
        String out = "2: eth0    inet 10.0.0.5/24 brd 10.0.0.100 scope global eth0\n"
                + "2: eth0    inet 10.0.0.10/24 scope global secondary eth0\n";
        assertThat(VipHolder.listed(out, "10.0.0.100")).isFalse();
        assertThat(VipHolder.listed(out, "10.0.0.1")).isFalse();
        assertThat(VipHolder.listed(out, "10.0.0.10")).isTrue();
    }
}
