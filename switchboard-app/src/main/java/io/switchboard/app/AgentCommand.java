package io.switchboard.app;

import io.switchboard.agent.Agent;
import io.switchboard.agent.AgentConfig;
import io.switchboard.config.DurationSyntax;
import io.switchboard.config.HostPort;
import io.switchboard.config.HostPortSyntax;
import io.switchboard.load.SharedKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code switchboard agent}: the load agent that runs on each back end (docs/agent.md). */
@Command(name = "agent", mixinStandardHelpOptions = true,
        header = "Run on a back end: measure it, answer HAProxy's agent-check, push load reports to balancers.",
        description = {"",
                "Every interval it measures CPU busy, load average, runnable tasks, memory available and established TCP"
                        + " connections from /proc, and the web server's workers where a status URL is given.",
                "",
                "It answers HAProxy's agent-check on --agent-check-port (e.g. \"up ready 73%%\": the weight is the idle CPU"
                        + " share, at least --min-weight) and pushes one signed UDP report per interval to each --push balancer.",
                "No admin listener and no config file. SIGTERM or Ctrl-C stops it."})
final class AgentCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(AgentCommand.class);

    @Spec
    CommandSpec spec;

    @Option(names = "--name", paramLabel = "NAME",
            description = "This server's name as the balancers' pools know it (default: this host's name).")
    String name;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
            description = "How often to measure and report, e.g. 500ms, 1s, 2s; at least 100ms (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--agent-check-port", paramLabel = "PORT",
            description = "Answer HAProxy's agent-check on this TCP port (0: any free port, logged at start).")
    Integer agentCheckPort;

    @Option(names = "--agent-check-address", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "The address the agent-check listener binds (default: ${DEFAULT-VALUE}).")
    String agentCheckAddress;

    @Option(names = "--push", paramLabel = "HOST:PORT",
            description = "A balancer to push UDP load reports to; repeat for several. Names are resolved once, at start.")
    List<String> push = new ArrayList<>();

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "The key shared with the balancers (required with --push): base64 text, or the raw bytes;"
                    + " at least 16 bytes. Make one: head -c 32 /dev/urandom | base64 > FILE")
    Path keyFile;

    @Option(names = "--nginx-status", paramLabel = "URL",
            description = "NGINX stub_status URL, e.g. http://127.0.0.1/nginx_status: its active connections are reported as busy workers.")
    String nginxStatus;

    @Option(names = "--apache-status", paramLabel = "URL",
            description = "Apache server-status URL, e.g. http://127.0.0.1/server-status?auto: BusyWorkers and IdleWorkers are reported.")
    String apacheStatus;

    @Option(names = "--state-file", paramLabel = "FILE",
            description = "A file whose first word (up, ready, drain, maint, down) is the state this server asks for;"
                    + " missing or empty means up. echo drain > FILE drains this server from the server itself.")
    Path stateFile;

    @Option(names = "--min-weight", paramLabel = "PERCENT", defaultValue = "1",
            description = "The least weight the agent asks for, 0-100, so a busy server still gets a trickle (default: ${DEFAULT-VALUE}).")
    int minWeight;

    @Option(names = "--maxconn", paramLabel = "N",
            description = "Also ask for this connection limit (agent-check maxconn:N, and in pushed reports).")
    Integer maxConn;

    @Option(names = "--proc", paramLabel = "DIR", defaultValue = "/proc",
            description = "The procfs to measure (default: ${DEFAULT-VALUE}); e.g. /host/proc in a container that mounts the host's /proc there.")
    Path proc;

    @Option(names = "--cgroup", paramLabel = "DIR",
            description = "Measure the CPU of this control group instead of the host's: a back end in a container, or one of several"
                    + " servers sharing a host (cgroup v2: the group's directory under /sys/fs/cgroup, its cpu.max quota counted;"
                    + " v1: the cpuacct controller's directory).")
    Path cgroup;

    /** The JDK logger's line format (the agent logs through System.Logger, being JDK only), set to look like logback's. */
    private static final String JUL_FORMAT = "java.util.logging.SimpleFormatter.format";

    @Override
    public Integer call() throws InterruptedException {
        if (System.getProperty(JUL_FORMAT) == null) {
            // one line per event, as the rest of switchboard logs, instead of the JDK's two
            System.setProperty(JUL_FORMAT, "%1$tH:%1$tM:%1$tS.%1$tL %4$-5s %3$s - %5$s%6$s%n");
        }
        PrintWriter err = spec.commandLine().getErr();
        AgentConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException | IOException e) {
            err.println("switchboard agent: " + e.getMessage());
            err.flush();
            return Main.EXIT_CONFIG;
        }
        Agent agent;
        try {
            agent = Agent.start(config);
        } catch (IOException | RuntimeException e) {
            log.error("agent not started: {}", e.getMessage());
            return Main.EXIT_FAILURE;
        }
        ProcessSignals signals = ProcessSignals.install(null);
        InetSocketAddress checks = agent.agentCheckAddress();
        log.info("agent {} ready (pid {}): measuring every {}{}{}; SIGTERM or Ctrl-C stops", config.name(),
                ProcessHandle.current().pid(), DurationSyntax.format(config.interval()),
                checks == null ? "" : "; agent-check on " + checks.getAddress().getHostAddress() + ":" + checks.getPort(),
                config.push().isEmpty() ? "" : "; pushing to " + String.join(", ",
                        config.push().stream().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()).toList()));
        try {
            signals.awaitStop();
        } finally {
            agent.close();
        }
        return Main.EXIT_OK;
    }

    AgentConfig config() throws IOException {
        Duration every;
        try {
            every = DurationSyntax.parse(interval);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--interval " + e.getMessage());
        }
        InetSocketAddress checks = null;
        if (agentCheckPort != null) {
            if (agentCheckPort < 0 || agentCheckPort > 65535) {
                throw new IllegalArgumentException("--agent-check-port " + agentCheckPort + " is not a port (0-65535; 0 picks a free one)");
            }
            checks = new InetSocketAddress(resolve("--agent-check-address", agentCheckAddress), agentCheckPort);
        }
        List<InetSocketAddress> targets = new ArrayList<>();
        for (String p : push) {
            HostPort hp;
            try {
                hp = HostPortSyntax.parse(p);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--push " + e.getMessage());
            }
            targets.add(new InetSocketAddress(resolve("--push", hp.host()), hp.port()));
        }
        if (keyFile != null && targets.isEmpty()) {
            throw new IllegalArgumentException("--key-file without --push: the key signs pushed reports; give --push host:port too");
        }
        byte[] key = keyFile == null ? null : SharedKey.read(keyFile);
        if (keyFile != null) warnIfOthersCanRead(keyFile);
        return new AgentConfig(name == null ? hostName() : name, every, checks, targets, key,
                uri("--nginx-status", nginxStatus), uri("--apache-status", apacheStatus), stateFile, minWeight,
                maxConn == null ? -1 : maxConn, proc, cgroup);
    }

    private static void warnIfOthersCanRead(Path file) {
        try {
            if (Files.getPosixFilePermissions(file).contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("key file {} is readable by every user of this host, who could forge load reports: chmod 600 {}", file, file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system, or it went away since it was read: nothing to say
        }
    }

    private static InetAddress resolve(String option, String host) {
        try {
            return InetAddress.getByName(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(option + " " + host + ": this host cannot resolve the name (" + e.getMessage() + ")");
        }
    }

    private static URI uri(String option, String text) {
        if (text == null) return null;
        try {
            URI u = new URI(text);
            if (u.getHost() == null) throw new URISyntaxException(text, "no host");
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not a URL (" + e.getReason()
                    + "); write e.g. http://127.0.0.1/nginx_status");
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            if (env != null && !env.isBlank()) return env;
            throw new IllegalArgumentException("cannot tell this host's name (" + e.getMessage() + "); give --name");
        }
    }
}
