package io.switchboard.app.dsr;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The MAC addresses of the servers and of the director's interface, from the kernel: the IPv4
 * neighbour table ({@code /proc/net/arp}, what {@code ip -4 neigh} shows) and
 * {@code /sys/class/net/DEV/address}. A server not in the table yet is probed with one UDP datagram
 * to its discard port (9), which makes the kernel resolve it, and looked up again for up to
 * {@value #PROBE_WAIT_MILLIS} ms.
 *
 * <p>Threading: stateless but blocking (the probe waits): call it off the event loops and the registry's writer.
 */
public final class Neighbours {
    static final int PROBE_WAIT_MILLIS = 1_000;
    private static final int COMPLETE = 0x2;

    private final Path arp;
    private final Path sysNet;

    public Neighbours(Path arp, Path sysNet) {
        this.arp = arp;
        this.sysNet = sysNet;
    }

    public static Neighbours system() {
        return new Neighbours(Path.of("/proc/net/arp"), Path.of("/sys/class/net"));
    }

    /** The interface's own MAC; fails when the interface does not exist here. */
    public String interfaceMac(String iface) throws DsrException {
        Path dir = sysNet.resolve(iface);
        if (!Files.isDirectory(dir)) {
            throw new DsrException("no interface named '" + iface + "' on this host (" + interfaces() + "); the table in force"
                    + " stays");
        }
        try {
            return Files.readString(dir.resolve("address")).strip().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            throw new DsrException("cannot read the MAC of " + iface + ": " + e.getMessage());
        }
    }

    private String interfaces() {
        try (var list = Files.list(sysNet)) {
            List<String> names = list.map(p -> p.getFileName().toString()).sorted().toList();
            return names.isEmpty() ? "it has none" : "interfaces: " + String.join(", ", names);
        } catch (IOException e) {
            return "cannot list " + sysNet + ": " + e.getMessage();
        }
    }

    /**
     * The MAC of {@code address} on {@code iface}, probing it once when the table does not have it.
     *
     * @param who how messages name the server ({@code s2 (10.0.0.12)})
     */
    public String serverMac(String address, String iface, String who) throws DsrException {
        String mac = lookup(address, iface);
        if (mac != null) return mac;
        probe(address);
        for (int waited = 0; waited < PROBE_WAIT_MILLIS; waited += 50) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            mac = lookup(address, iface);
            if (mac != null) return mac;
        }
        throw new DsrException("server " + who + " has no MAC address on " + iface + " (not in the neighbour table after a"
                + " probe: ip -4 neigh show " + address + "): is it up and on the same L2 segment as " + iface + "?");
    }

    /** The complete entry for {@code address} on {@code iface} in the neighbour table; null when there is none. */
    String lookup(String address, String iface) throws DsrException {
        List<String> lines;
        try {
            lines = Files.readAllLines(arp);
        } catch (NoSuchFileException e) {
            throw new DsrException("no neighbour table at " + arp + ": direct server return needs Linux");
        } catch (IOException e) {
            throw new DsrException("cannot read the neighbour table " + arp + ": " + e.getMessage());
        }
        // IP address  HW type  Flags  HW address  Mask  Device
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 6 || !f[0].equals(address) || !f[5].equals(iface)) continue;
            int flags;
            try {
                flags = Integer.decode(f[2]);
            } catch (NumberFormatException e) {
                continue;
            }
            String mac = f[3].toLowerCase(Locale.ROOT);
            if ((flags & COMPLETE) != 0 && !mac.equals("00:00:00:00:00:00")) return mac;
        }
        return null;
    }

    private static void probe(String address) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.send(new DatagramPacket(new byte[1], 1, InetAddress.getByName(address), 9));
        } catch (IOException e) {
            // no route: the lookup after it fails with the message that matters
        }
    }
}
