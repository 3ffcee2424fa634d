package io.switchboard.deb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.proxy.DebianPeer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The package installed for real on this (throwaway, root) machine: {@code dpkg -i}, then
 * {@code switchboard check} and the demo from the installed files, then the service's own command on a
 * port below 1024 (under systemd when systemd is PID 1; else, in a container, with setpriv giving it the
 * unit's User, Group, AmbientCapabilities, CapabilityBoundingSet and NoNewPrivileges) with a reload
 * (ExecReload, SIGHUP) and a log rotation (the logrotate snippet's postrotate command, SIGUSR1), then
 * {@code dpkg --purge} and a search for anything left behind.
 *
 * <p>Only in the packaging profile (tag "packaging"). Without root it skips and says why.
 */
@Tag("packaging")
class PackageInstallIT {
    private static final List<String> LEFTOVERS = List.of("/etc/switchboard", "/etc/logrotate.d/switchboard", "/usr/share/switchboard",
            "/usr/bin/switchboard", "/usr/share/doc/switchboard", "/usr/share/man/man1/switchboard.1.gz",
            "/usr/share/bash-completion/completions/switchboard", "/lib/systemd/system/switchboard.service",
            "/etc/systemd/system/multi-user.target.wants/switchboard.service", "/var/lib/switchboard", "/var/log/switchboard");
    /** The Debian package standing in for a JDK that is on the machine without a package of its own (Temurin in /usr/lib/jvm). */
    private static final String STAND_IN = "switchboard-test-java-runtime";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void installRunPurge(@TempDir Path work) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            String why = "PackageInstallIT needs root (dpkg -i, a system user, runuser); running as "
                    + System.getProperty("user.name") + ", so it is skipped";
            System.out.println(why);
            Assumptions.abort(why);
        }
        Path deb = PackageFile.built().toAbsolutePath();
        if (sh("dpkg-query -W -f='${Status}' switchboard 2>/dev/null").output().contains("installed")) {
            System.out.println("switchboard is installed already (an earlier run?): purging it first");
            sh("dpkg --purge switchboard");
        }
        boolean standIn = false;
        try {
            standIn = provideJavaRuntime(work);
            install(deb);
            checkAndDemo();
            runTheService(work);
            upgradeKeepsTheEditedConfiguration(deb);
        } finally {
            DebianPeer.Result purge = sh("dpkg --purge switchboard" + (standIn ? " " + STAND_IN : ""));
            System.out.println("dpkg --purge (exit " + purge.exit() + "):\n" + purge.output());
            assertThat(purge.exit()).as(purge.output()).isZero();
        }
        assertNothingLeft();
    }

    /**
     * The package depends on a Java 21+ runtime package. Debian 12 has none (OpenJDK 17 only): where none is
     * installed and apt cannot install openjdk-21-jre-headless, a stand-in package that provides
     * java21-runtime-headless is installed for the JDK that is here without a package, as an operator would
     * with equivs. Returns whether it did.
     */
    private boolean provideJavaRuntime(Path work) throws Exception {
        String satisfied = "dpkg-query -W -f='${db:Status-Abbrev} ${Package} ${Provides}\\n' 2>/dev/null"
                + " | grep '^ii' | grep -E ' (openjdk-(21|25)-jre-headless|temurin-(21|25)-(jre|jdk))( |$)|java21-runtime-headless'";
        if (sh(satisfied).exit() == 0) return false;
        DebianPeer.Result apt = sh("DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-21-jre-headless");
        if (apt.exit() == 0) {
            System.out.println("installed openjdk-21-jre-headless for the package's Depends");
            return false;
        }
        Path dir = work.resolve(STAND_IN);
        Files.createDirectories(dir.resolve("DEBIAN"));
        Files.writeString(dir.resolve("DEBIAN/control"), String.join("\n",
                "Package: " + STAND_IN,
                "Version: 1",
                "Architecture: all",
                "Maintainer: Switchboard developers <switchboard@example.org>",
                "Provides: java21-runtime-headless",
                "Description: stand-in for the JDK in " + System.getProperty("java.home"),
                " Installed by Switchboard's PackageInstallIT only, and purged by it.", ""));
        Path standIn = work.resolve(STAND_IN + ".deb");
        assertOk(sh("dpkg-deb --build " + dir + " " + standIn + " && dpkg -i " + standIn));
        System.out.println("no Java 21+ runtime package here (" + firstLine(apt.output()) + "): installed " + STAND_IN
                + " (Provides: java21-runtime-headless) for the JDK in " + System.getProperty("java.home"));
        return true;
    }

    private void install(Path deb) throws Exception {
        DebianPeer.Result dpkg = sh("dpkg -i " + deb);
        System.out.println("dpkg -i " + deb.getFileName() + " (exit " + dpkg.exit() + "):\n" + dpkg.output());
        assertOk(dpkg);
        assertThat(sh("dpkg-query -W -f='${Status}' switchboard").output()).isEqualTo("install ok installed");
        String user = sh("getent passwd switchboard").output().strip();
        assertThat(user).as("the system user").matches("switchboard:x:\\d+:\\d+:[^:]*:/var/lib/switchboard:/usr/sbin/nologin");
        assertThat(Integer.parseInt(user.split(":")[2])).as("a system uid").isLessThan(1000);
        assertThat(sh("stat -c '%U:%G %a' /var/log/switchboard /var/lib/switchboard").output().strip().lines())
                .containsOnly("switchboard:switchboard 750");
        assertThat(Path.of("/etc/switchboard/switchboard.yaml")).isRegularFile();
        // the unit as systemd reads it, with the installed binary and man pages it names
        DebianPeer.Result verify = sh("systemd-analyze verify /lib/systemd/system/switchboard.service");
        assertThat(verify.exit()).as("systemd-analyze verify: %s", verify.output()).isZero();
        DebianPeer.Result security = sh("systemd-analyze security --offline=yes /lib/systemd/system/switchboard.service | tail -1");
        System.out.println("systemd-analyze verify: OK" + (verify.output().isBlank() ? "" : "\n" + verify.output()) + "\nsystemd-analyze security: "
                + security.output().strip());
    }

    private void checkAndDemo() throws Exception {
        DebianPeer.Result version = sh("/usr/bin/switchboard --version");
        System.out.println("/usr/bin/switchboard --version:\n" + version.output());
        assertOk(version);
        assertThat(version.output()).doesNotContain("building").containsPattern("(?m)^switchboard \\S+ \\((commit|unknown commit)");

        // The AOT cache shipped for the packaged jar (JDK 25+ builds): taken by the launcher when the JDK it finds
        // is the one that made it (the stamp beside it), and never refused by the JVM.
        Path stamp = Path.of("/usr/share/switchboard/switchboard.aot.jdk");
        if (Files.exists(stamp)) {
            DebianPeer.Result aot = sh("JDK_JAVA_OPTIONS=-Xlog:aot=info /usr/bin/switchboard --version 2>&1");
            String jdk = Files.readAllLines(stamp).get(0);
            System.out.println("the AOT cache, made by " + jdk + ":\n" + aot.output().lines()
                    .filter(l -> l.contains("AOT cache") || l.contains("[error")).toList());
            assertOk(aot);
            assertThat(aot.output()).doesNotContain("[error");
            if (Files.isDirectory(Path.of(jdk))) assertThat(aot.output()).contains("Opened AOT cache /usr/share/switchboard/switchboard.aot");
        }

        DebianPeer.Result check = sh("/usr/bin/switchboard check -c /etc/switchboard/switchboard.yaml");
        System.out.println("switchboard check -c /etc/switchboard/switchboard.yaml:\n" + check.output());
        assertOk(check);

        Path out = Files.createTempFile("switchboard-demo", ".log");
        Process demo = new ProcessBuilder("/usr/bin/switchboard", "demo", "--port", "0", "--admin-port", "0")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            Pattern url = Pattern.compile("Switchboard demo: (http://127\\.0\\.0\\.1:\\d+/)");
            String[] found = new String[1];
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                assertThat(demo.isAlive()).as("the demo is running; its output:\n%s", read(out)).isTrue();
                Matcher m = url.matcher(read(out));
                if (m.find()) found[0] = m.group(1);
                return found[0] != null;
            });
            HttpResponse<String> r = getUntil200(found[0]);
            System.out.println("demo from the installed files: GET " + found[0] + " -> " + r.statusCode() + " " + r.body().strip());
        } finally {
            stop(demo.toHandle());
            Files.deleteIfExists(out);
        }
    }

    /**
     * The unit's ExecStart, as the switchboard user, with a configuration an operator would write (a back end
     * of this test, free ports, the access log in /var/log/switchboard): reload, rotate, stop.
     */
    private void runTheService(Path work) throws Exception {
        HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext("/", exchange -> {
            byte[] body = "hello from the back end\n".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        backend.start();
        int port = freePortBelow1024();
        String shipped = Files.readString(Path.of("/etc/switchboard/switchboard.yaml"));
        Files.writeString(Path.of("/etc/switchboard/switchboard.yaml"), shipped
                .replace("port: 8080", "port: " + port)
                .replace("port: 9000", "port: 0")
                .replace("address: 127.0.0.1:8081", "address: 127.0.0.1:" + backend.getAddress().getPort()));
        Map<String, String> unit = PackageContentsTest.fields(Files.readString(Path.of("/lib/systemd/system/switchboard.service")));
        String url = "http://127.0.0.1:" + port + "/";
        Path log = Path.of("/var/log/switchboard/access.log");
        boolean systemd = Files.isDirectory(Path.of("/run/systemd/system"));
        Path out = work.resolve("service.log");
        Process runuser = null;
        try {
            long pid;
            if (systemd) {
                System.out.println("systemd is running: systemctl restart switchboard");
                assertOk(sh("systemctl daemon-reload && systemctl restart switchboard"));
                pid = Long.parseLong(sh("systemctl show -p MainPID --value switchboard").output().strip());
            } else {
                List<String> cmd = new ArrayList<>(asTheUnitWould(unit));
                cmd.addAll(List.of("env", "-i", "PATH=/usr/bin:/bin", "HOME=/var/lib/switchboard"));
                cmd.addAll(List.of(unit.get("ExecStart").split(" ")));
                System.out.println("systemd is not PID 1 here (PID 1 is " + sh("ps -o comm= -p 1").output().strip()
                        + "): running the unit's ExecStart as it would: " + String.join(" ", cmd));
                runuser = new ProcessBuilder(cmd).directory(new File("/var/lib/switchboard")).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
                Process started = runuser;
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    assertThat(started.isAlive()).as("switchboard run; its output:\n%s", read(out)).isTrue();
                    return read(out).contains("ready (pid ");
                });
                Matcher m = Pattern.compile("ready \\(pid (\\d+)\\)").matcher(read(out));
                assertThat(m.find()).isTrue();
                pid = Long.parseLong(m.group(1));
            }
            assertThat(sh("ps -o user= -p " + pid).output().strip()).as("the service's user").isEqualTo("switchboard");
            String status = Files.readString(Path.of("/proc/" + pid + "/status"));
            System.out.println("the service's process " + pid + ": " + status.lines()
                    .filter(l -> l.startsWith("Cap") || l.startsWith("NoNewPrivs")).toList());
            // CAP_NET_BIND_SERVICE (10), CAP_NET_ADMIN (12), CAP_NET_RAW (13), through the launcher's exec into java
            assertThat(status).containsPattern("CapAmb:\\s+0000000000003400").containsPattern("CapBnd:\\s+0000000000003400")
                    .containsPattern("NoNewPrivs:\\s+1");

            HttpResponse<String> first = getUntil200(url);
            assertThat(first.body()).isEqualTo("hello from the back end\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> read(log).contains("\"GET / HTTP/1.1\" 200"));

            // ExecReload
            assertOk(sh(unit.get("ExecReload").replace("$MAINPID", Long.toString(pid))));
            if (!systemd) await().atMost(Duration.ofSeconds(30)).until(() -> read(out).contains("reloaded /etc/switchboard/switchboard.yaml"));

            // logrotate: rename, then the snippet's postrotate script (systemctl kill, or pkill without systemd)
            Path rotated = Path.of("/var/log/switchboard/access.log.1");
            Files.move(log, rotated);
            assertOk(sh(postrotate(Files.readString(Path.of("/etc/logrotate.d/switchboard")))));
            getUntil200(url + "after-rotation");
            await().atMost(Duration.ofSeconds(30)).until(() -> read(log).contains("GET /after-rotation"));
            assertThat(read(rotated)).doesNotContain("/after-rotation");
            assertThat(sh("stat -c %U " + log).output().strip()).isEqualTo("switchboard");
            System.out.println("after rotation: access.log.1 has " + read(rotated).lines().count() + " line(s), the new access.log "
                    + read(log).lines().count() + ": " + read(log).strip());

            if (systemd) {
                assertOk(sh("systemctl stop switchboard"));
            } else {
                assertOk(sh("kill -TERM " + pid));
                assertThat(runuser.waitFor(90, TimeUnit.SECONDS)).as("stops after SIGTERM").isTrue();
                assertThat(runuser.exitValue()).as("exit status after SIGTERM; output:\n%s", read(out)).isZero();
                System.out.println("the service's output:\n" + read(out));
            }
        } finally {
            if (runuser != null && runuser.isAlive()) {
                runuser.descendants().forEach(ProcessHandle::destroyForcibly);
                runuser.destroyForcibly();
            }
            backend.stop(0);
        }
    }

    /**
     * The same package again, as an upgrade runs its scripts (postinst configure with the old version): the
     * user and directories are there already, and the configuration edited by runTheService is kept.
     */
    private static void upgradeKeepsTheEditedConfiguration(Path deb) throws Exception {
        String edited = Files.readString(Path.of("/etc/switchboard/switchboard.yaml"));
        assertThat(edited).doesNotContain("port: 8080");
        DebianPeer.Result again = sh("dpkg -i " + deb);
        System.out.println("dpkg -i again (exit " + again.exit() + "):\n" + again.output());
        assertOk(again);
        assertThat(Files.readString(Path.of("/etc/switchboard/switchboard.yaml"))).as("the conffile after an upgrade").isEqualTo(edited);
    }

    /** setpriv with what the unit's [Service] section gives the process; runuser (user only) where there is no setpriv. */
    private static List<String> asTheUnitWould(Map<String, String> unit) {
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            System.out.println("no setpriv: runuser, without the unit's capabilities");
            return List.of("runuser", "-u", unit.get("User"), "--");
        }
        String caps = "-all," + capabilities(unit.get("AmbientCapabilities"));
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=" + unit.get("User"), "--regid=" + unit.get("Group"),
                "--init-groups", "--inh-caps=" + caps, "--ambient-caps=" + caps,
                "--bounding-set=-all," + capabilities(unit.get("CapabilityBoundingSet"))));
        if ("yes".equals(unit.get("NoNewPrivileges"))) cmd.add("--no-new-privs");
        cmd.add("--");
        return cmd;
    }

    /** "CAP_NET_BIND_SERVICE CAP_NET_RAW" as setpriv writes it: "+net_bind_service,+net_raw". */
    static String capabilities(String unitValue) {
        return String.join(",", List.of(unitValue.trim().split("\\s+")).stream()
                .map(c -> "+" + c.toLowerCase(Locale.ROOT).replaceFirst("^cap_", "")).toList());
    }

    /** A port below 1024 that is free on 127.0.0.1 (root may bind it; the service needs CAP_NET_BIND_SERVICE). */
    private static int freePortBelow1024() throws IOException {
        for (int port = 1023; port >= 900; port--) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException taken) {
                // next one
            }
        }
        throw new IOException("no free port in 900-1023 on 127.0.0.1");
    }

    private static void assertNothingLeft() throws Exception {
        List<String> left = LEFTOVERS.stream().filter(p -> Files.exists(Path.of(p), LinkOption.NOFOLLOW_LINKS)).toList();
        assertThat(left).as("files left after dpkg --purge").isEmpty();
        assertThat(sh("getent passwd switchboard").exit()).as("the user is gone").isNotZero();
        assertThat(sh("getent group switchboard").exit()).as("the group is gone").isNotZero();
        assertThat(sh("dpkg-query -W -f='${Status}' switchboard 2>&1").output()).doesNotContain("installed");
        assertThat(sh("ls /var/lib/systemd/deb-systemd-helper-enabled 2>/dev/null | grep -c switchboard || true").output().strip())
                .as("deb-systemd-helper state").isEqualTo("0");
        assertThat(sh("find /etc/systemd /var/lib/systemd -name '*switchboard*' 2>/dev/null").output().strip()).isEmpty();
        System.out.println("purged: none of " + LEFTOVERS + " exists; user and group switchboard are gone");
    }

    /** The commands between postrotate and endscript. */
    static String postrotate(String snippet) {
        Matcher m = Pattern.compile("(?s)postrotate\\n(.*?)\\n\\s*endscript").matcher(snippet);
        assertThat(m.find()).as("postrotate in the logrotate snippet").isTrue();
        return m.group(1);
    }

    private HttpResponse<String> getUntil200(String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build();
        @SuppressWarnings("unchecked")
        HttpResponse<String>[] last = new HttpResponse[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
            last[0] = http.send(request, HttpResponse.BodyHandlers.ofString());
            return last[0].statusCode() == 200;
        });
        return last[0];
    }

    private static void stop(ProcessHandle p) throws Exception {
        if (!p.isAlive()) return;
        sh("kill -TERM " + p.pid());
        try {
            p.onExit().get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            p.destroyForcibly();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    }

    private static String firstLine(String s) {
        return s.lines().filter(l -> l.startsWith("E:")).findFirst().orElse(s.lines().reduce((a, b) -> b).orElse("")).strip();
    }

    private static DebianPeer.Result sh(String script) throws Exception {
        return DebianPeer.run(List.of("sh", "-c", script), 600);
    }

    private static void assertOk(DebianPeer.Result r) {
        assertThat(r.exit()).as("exit status; output:\n%s", r.output()).isZero();
    }
}
