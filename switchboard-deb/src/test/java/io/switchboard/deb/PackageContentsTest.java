package io.switchboard.deb;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proxy.DebianPeer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb this module's build wrote, looked at without installing it: lintian (errors fail, warnings
 * are printed), the control fields, conffiles and maintainer scripts, the file list with modes, the
 * systemd unit's sandbox, and the installed launcher run from the unpacked files.
 */
class PackageContentsTest {
    private static Path deb;
    @TempDir
    static Path unpacked;

    @BeforeAll
    static void findPackageAndUnpack() throws Exception {
        deb = PackageFile.built();
        DebianPeer.Result x = DebianPeer.run(List.of("dpkg-deb", "-x", deb.toString(), unpacked.toString()), 60);
        assertThat(x.exit()).as("dpkg-deb -x: %s", x.output()).isZero();
    }

    @Test
    void lintianFindsNoError() throws Exception {
        Path lintian = DebianPeer.require("lintian", "lintian");
        // --fail-on error: warnings are printed for a person to read, errors fail the build
        DebianPeer.Result r = DebianPeer.run(List.of(lintian.toString(), "--fail-on", "error", "--tag-display-limit", "0",
                "--display-info", deb.toString()), 600);
        System.out.println("lintian " + deb.getFileName() + " (exit " + r.exit() + "):\n" + (r.output().isBlank() ? "(no tags)\n" : r.output()));
        assertThat(r.output()).as("lintian output").doesNotContainPattern("(?m)^E: ");
        assertThat(r.exit()).as("lintian exit status; output:\n%s", r.output()).isZero();
    }

    @Test
    void controlFieldsNameAJava21RuntimeAndTheScriptsCreateAndRemoveTheUser() throws Exception {
        Map<String, String> f = fields(run("dpkg-deb", "-f", deb.toString()));
        assertThat(f.get("Package")).isEqualTo("switchboard");
        assertThat(f.get("Architecture")).isEqualTo("all");
        assertThat(f.get("Version")).isEqualTo(PackageDocs.debianVersion(System.getProperty("project.version", "0.1.0-SNAPSHOT")));
        assertThat(f.get("Depends")).startsWith("openjdk-21-jre-headless | openjdk-25-jre-headless | java21-runtime-headless")
                .contains("temurin-21-jre", "temurin-25-jdk", ", adduser");
        assertThat(f.get("Depends")).doesNotContain("openjdk-17", "default-jre");

        assertThat(run("dpkg-deb", "-I", deb.toString(), "conffiles").lines().toList())
                .containsExactlyInAnyOrder("/etc/switchboard/switchboard.yaml", "/etc/logrotate.d/switchboard");
        String postinst = run("dpkg-deb", "-I", deb.toString(), "postinst");
        assertThat(postinst).contains("adduser --system --group", "--home /var/lib/switchboard", "deb-systemd-helper enable");
        String postrm = run("dpkg-deb", "-I", deb.toString(), "postrm");
        assertThat(postrm).contains("\"purge\"", "deluser --quiet --system switchboard", "rm -rf /var/log/switchboard /var/lib/switchboard",
                "deb-systemd-helper purge");
        assertThat(run("dpkg-deb", "-I", deb.toString(), "prerm")).contains("deb-systemd-invoke stop");
        // the changelog's newest entry is this version (lintian compares them too)
        assertThat(gunzip(unpacked.resolve("usr/share/doc/switchboard/changelog.gz")))
                .startsWith("switchboard (" + f.get("Version") + ") unstable; urgency=medium");
    }

    @Test
    void fileListHasTheJarLauncherConfigUnitManPagesAndCompletion() throws Exception {
        Map<String, String> modes = new LinkedHashMap<>();
        for (String line : run("dpkg-deb", "-c", deb.toString()).lines().toList()) {
            String[] cols = line.trim().split("\\s+", 6);
            String path = cols[5].replaceFirst("^\\./", "/");
            modes.put(path.replaceFirst(" -> .*", "").replaceFirst("(.)/$", "$1"), cols[0] + " " + cols[1]
                    + (path.contains(" -> ") ? " -> " + path.substring(path.indexOf(" -> ") + 4) : ""));
        }
        System.out.println("files in " + deb.getFileName() + ":\n" + String.join("\n", modes.keySet()));
        assertThat(modes).containsEntry("/usr/share/switchboard/switchboard", "-rwxr-xr-x root/root")
                .containsEntry("/usr/share/switchboard/switchboard.jar", "-rw-r--r-- root/root")
                .containsEntry("/etc/switchboard/switchboard.yaml", "-rw-r--r-- root/root")
                .containsEntry("/etc/logrotate.d/switchboard", "-rw-r--r-- root/root")
                .containsEntry("/lib/systemd/system/switchboard.service", "-rw-r--r-- root/root")
                .containsEntry("/usr/share/doc/switchboard/copyright", "-rw-r--r-- root/root")
                .containsEntry("/usr/share/doc/switchboard/changelog.gz", "-rw-r--r-- root/root")
                .containsEntry("/usr/share/doc/switchboard/configuration.md.gz", "-rw-r--r-- root/root")
                .containsEntry("/usr/share/doc/switchboard/packaging.md.gz", "-rw-r--r-- root/root")
                .containsEntry("/usr/share/bash-completion/completions/switchboard", "-rw-r--r-- root/root");
        // a relative symbolic link (Debian policy 10.5); dpkg ignores a link's own mode
        assertThat(modes.get("/usr/bin/switchboard")).startsWith("l").endsWith(" root/root -> ../share/switchboard/switchboard");
        assertThat(modes).doesNotContainKey("/usr/share/man/man1/switchboard-help.1.gz");
        for (String page : List.of("switchboard", "switchboard-run", "switchboard-check", "switchboard-demo", "switchboard-agent",
                "switchboard-simulate")) {
            assertThat(modes).containsKey("/usr/share/man/man1/" + page + ".1.gz");
        }
        // nothing owned by anyone but root, nothing writable by others, nothing outside the FHS places above
        assertThat(modes.values()).allMatch(v -> v.contains(" root/root"), "owned by root/root");
        assertThat(modes.keySet()).allMatch(p -> p.matches("/(etc|lib/systemd|usr/bin|usr/share)(/.*)?|/(etc|lib|usr)"),
                "under /etc, /lib/systemd, /usr/bin, /usr/share");
    }

    @Test
    void manPagesAndCompletionComeFromTheCommandLine() throws IOException {
        String run = gunzip(unpacked.resolve("usr/share/man/man1/switchboard-run.1.gz"));
        // dated by the changelog, not by the day of the build; the source names the version and commit
        assertThat(run).startsWith("'\\\" t").containsPattern("\\.TH \"SWITCHBOARD\\\\-RUN\" \"1\" \"2026-12-04\" \"switchboard [^\"]+\\(")
                .contains("\\fB\\-\\-config\\fP=\\fIFILE\\fP", "SIGUSR1 reopens the access log");
        String main = gunzip(unpacked.resolve("usr/share/man/man1/switchboard.1.gz"));
        assertThat(main).contains(".SH \"COMMANDS\"", "\\fBrun\\fP", "\\fBcheck\\fP", "\\fBsimulate\\fP", ".SH \"EXIT CODES:\"");
        String completion = Files.readString(unpacked.resolve("usr/share/bash-completion/completions/switchboard"));
        assertThat(completion).doesNotStartWith("#!").contains("complete -F _complete_switchboard", "--config", "--backends", "simulate");
    }

    @Test
    void unitIsSandboxedWithOnlyTheCapabilitiesTheDispatcherUses() throws IOException {
        Map<String, String> unit = fields(Files.readString(unpacked.resolve("lib/systemd/system/switchboard.service")));
        assertThat(unit).containsEntry("User", "switchboard")
                .containsEntry("ExecStart", "/usr/bin/switchboard run -c /etc/switchboard/switchboard.yaml")
                .containsEntry("ExecReload", "/bin/kill -HUP $MAINPID")
                .containsEntry("ProtectSystem", "strict")
                .containsEntry("ProtectHome", "yes")
                .containsEntry("PrivateTmp", "yes")
                .containsEntry("NoNewPrivileges", "yes")
                .containsEntry("AmbientCapabilities", "CAP_NET_BIND_SERVICE CAP_NET_ADMIN CAP_NET_RAW")
                .containsEntry("CapabilityBoundingSet", "CAP_NET_BIND_SERVICE CAP_NET_ADMIN CAP_NET_RAW")
                .containsEntry("LogsDirectory", "switchboard")
                .containsEntry("StateDirectory", "switchboard")
                .containsEntry("WantedBy", "multi-user.target");
        // the JVM's JIT writes code: this one must never be switched on
        assertThat(unit).doesNotContainKey("MemoryDenyWriteExecute");
        String logrotate = Files.readString(unpacked.resolve("etc/logrotate.d/switchboard"));
        assertThat(logrotate).contains("/var/log/switchboard/*.log", "postrotate", "--signal=USR1 switchboard.service");
    }

    @Test
    void installedLauncherRunsTheJarBesideItWithAJreAndBuildsNothing(@TempDir Path jre) throws Exception {
        // a runtime without javac, as openjdk-21-jre-headless installs it
        Files.createDirectories(jre.resolve("bin"));
        Files.createSymbolicLink(jre.resolve("bin/java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        Path launcher = unpacked.resolve("usr/share/switchboard/switchboard");
        // the shipped configuration, with its access log where this test may write (the package's postinst
        // creates /var/log/switchboard; check wants the directory to exist)
        Path config = jre.resolve("switchboard.yaml");
        Files.writeString(config, Files.readString(unpacked.resolve("etc/switchboard/switchboard.yaml"))
                .replace("/var/log/switchboard/", jre + "/"));

        DebianPeer.Result version = launch(jre, launcher.toString(), "--version");
        assertThat(version.exit()).as(version.output()).isZero();
        assertThat(version.output()).doesNotContain("building").containsPattern("(?m)^switchboard \\S+ \\((commit [0-9a-f]{12}|unknown commit)");

        DebianPeer.Result check = launch(jre, launcher.toString(), "check", "-c", config.toString());
        System.out.println("switchboard check -c /etc/switchboard/switchboard.yaml:\n" + check.output());
        assertThat(check.exit()).as(check.output()).isZero();
    }

    private static DebianPeer.Result launch(Path javaHome, String... cmd) throws Exception {
        List<String> env = new ArrayList<>(List.of("env", "-i", "PATH=/usr/bin:/bin", "HOME=" + javaHome, "JAVA_HOME=" + javaHome));
        env.addAll(List.of(cmd));
        return DebianPeer.run(env, 120);
    }

    static String run(String... cmd) throws Exception {
        DebianPeer.Result r = DebianPeer.run(List.of(cmd), 60);
        assertThat(r.exit()).as("%s: %s", String.join(" ", cmd), r.output()).isZero();
        return r.output();
    }

    /** "Key: value" lines (control files) or "Key=value" lines (systemd units); later lines win. */
    static Map<String, String> fields(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            if (line.startsWith("#") || line.startsWith(" ")) continue;
            int colon = line.indexOf(": ");
            int eq = line.indexOf('=');
            if (eq > 0 && (colon < 0 || eq < colon)) m.put(line.substring(0, eq), line.substring(eq + 1));
            else if (colon > 0) m.put(line.substring(0, colon), line.substring(colon + 2));
        }
        return m;
    }

    static String gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
