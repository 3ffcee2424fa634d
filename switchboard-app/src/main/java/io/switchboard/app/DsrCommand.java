package io.switchboard.app;

import io.switchboard.config.DsrConfig;
import io.switchboard.config.PoolConfig;
import io.switchboard.config.ServerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code switchboard dsr ...}: helpers for direct server return ({@code dsr:} in the config). */
@Command(name = "dsr", mixinStandardHelpOptions = true,
        header = "Direct server return: what the servers behind the virtual address need.",
        subcommands = {DsrCommand.PrintBackendSetup.class})
final class DsrCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command: print-backend-setup");
    }

    /**
     * Prints, as a shell script, what each server of the {@code dsr} pool must run: the virtual address
     * on the loopback (so that its kernel accepts the forwarded packets), ARP settings (so that it
     * neither answers ARP for the address nor uses it in its own requests, which would pull the
     * clients' traffic away from the director), and a loose reverse-path filter.
     */
    @Command(name = "print-backend-setup", mixinStandardHelpOptions = true,
            header = "Print the commands to run on each server behind the dsr virtual address.",
            description = {"", "The output is a shell script (run it as root on every server of the dsr pool). Nothing is"
                    + " changed here."})
    static final class PrintBackendSetup implements Callable<Integer> {
        private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_.@-]{1,15}");

        @Spec
        CommandSpec spec;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", defaultValue = "switchboard.yaml",
                description = "The YAML configuration file with the dsr section (default: ${DEFAULT-VALUE}).")
        Path config;

        @Option(names = "--server-interface", paramLabel = "NAME", defaultValue = "eth0",
                description = "The servers' interface on the director's segment (default: ${DEFAULT-VALUE}).")
        String serverInterface;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            if (!INTERFACE.matcher(serverInterface).matches()) {
                throw new ParameterException(spec.commandLine(), "--server-interface: '" + serverInterface
                        + "' is not a network interface name (up to 15 letters, digits, '.', '_', '-' or '@', e.g. eth0)");
            }
            LoadedConfig loaded;
            try {
                loaded = ConfigLoader.load(config, ConfigLoader.Purpose.CHECK);
            } catch (ConfigException e) {
                for (ConfigProblem p : e.problems()) err.println(p);
                err.println(LoadedConfig.count(e.problems().size(), "error") + " in " + config);
                err.flush();
                return Main.EXIT_CONFIG;
            }
            DsrConfig d = loaded.config().dsr();
            if (d == null) {
                err.println(config + ": no dsr section (direct server return is off; see docs/configuration.md#direct-server-return)");
                err.flush();
                return Main.EXIT_CONFIG;
            }
            out.print(script(d, loaded.config().pools().get(d.pool()), serverInterface, config.toString()));
            out.flush();
            return Main.EXIT_OK;
        }

        static String script(DsrConfig d, PoolConfig pool, String dev, String file) {
            List<String> servers = new ArrayList<>();
            for (ServerConfig s : pool.servers()) servers.add(s.name() + " " + s.host());
            String vip = d.vip();
            return String.join("\n",
                    "#!/bin/sh",
                    "# Direct server return for " + vip + ":" + d.port() + "/" + d.protocol().label() + " (dsr in " + file + ").",
                    "# Run as root on each server of pool " + pool.name() + (servers.isEmpty() ? "" : " (" + String.join(", ", servers) + ")")
                            + ";",
                    "# " + dev + " is the server's interface on the director's segment (--server-interface).",
                    "set -e",
                    "",
                    "# The virtual address on the loopback: the kernel accepts the packets the director forwards, and the",
                    "# service answers from it. The service must listen on " + vip + ":" + d.port() + " (or 0.0.0.0:" + d.port() + ").",
                    "ip addr replace " + vip + "/32 dev lo",
                    "",
                    "# Never answer ARP for the virtual address (only for addresses of the interface asked on), and never",
                    "# use it as the source of ARP requests: the clients must keep reaching it through the director.",
                    "sysctl -w net.ipv4.conf.all.arp_ignore=1",
                    "sysctl -w net.ipv4.conf.all.arp_announce=2",
                    "sysctl -w net.ipv4.conf." + dev + ".arp_ignore=1",
                    "sysctl -w net.ipv4.conf." + dev + ".arp_announce=2",
                    "",
                    "# Reverse-path filter: packets arrive on " + dev + " from the clients' addresses. Strict mode (1) drops them",
                    "# when the route back to a client is another interface; loose mode (2) accepts them wherever it is.",
                    "sysctl -w net.ipv4.conf.all.rp_filter=2",
                    "sysctl -w net.ipv4.conf." + dev + ".rp_filter=2",
                    "",
                    "# To keep it across reboots: the address in the network configuration (e.g. /etc/network/interfaces:",
                    "# 'up ip addr add " + vip + "/32 dev lo' under iface lo), and the sysctl lines, without 'sysctl -w', in",
                    "# /etc/sysctl.d/90-switchboard-dsr.conf.",
                    "");
        }
    }
}
