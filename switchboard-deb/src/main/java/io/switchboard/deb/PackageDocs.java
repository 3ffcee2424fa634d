package io.switchboard.deb;

import io.switchboard.app.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Attributes;
import org.asciidoctor.Options;
import org.asciidoctor.SafeMode;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the generated files of the Debian package into a directory laid out as the installed
 * system: the man pages (usr/share/man/man1, one per command and subcommand, from the picocli
 * annotations through picocli-codegen's AsciiDoc and Asciidoctor's manpage converter), the bash
 * completion (picocli's AutoComplete), the gzipped Debian changelog and the gzipped documentation
 * (the configuration reference, this package's page). Runs at build time
 * (switchboard-deb's pom, exec plugin, package phase); nothing here is shipped.
 *
 * <p>{@code PackageDocs OUT_DIR PROJECT_VERSION CHANGELOG_TEMPLATE [DOC.md...]}. Single-threaded.
 */
public final class PackageDocs {
    private PackageDocs() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 3) {
            System.err.println("usage: PackageDocs OUT_DIR PROJECT_VERSION CHANGELOG_TEMPLATE [DOC.md...]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        String debVersion = debianVersion(args[1]);
        CommandLine cli = Main.commandLine();
        // the newest entry names the version being built, as lintian expects of a native package
        String changelog = Files.readString(Path.of(args[2]), StandardCharsets.UTF_8).replace("@VERSION@", debVersion);
        manPages(cli.getCommandSpec(), newestEntryDate(changelog), out.resolve("usr/share/man/man1"));
        Path completion = out.resolve("usr/share/bash-completion/completions/switchboard");
        Files.createDirectories(completion.getParent());
        // bash-completion sources the file: a #! line would only mislead (lintian: bash-completion-with-hashbang)
        String script = AutoComplete.bash("switchboard", cli).replaceFirst("\\A#![^\n]*\n", "");
        Files.writeString(completion, script, StandardCharsets.UTF_8);
        Path doc = out.resolve("usr/share/doc/switchboard");
        Files.createDirectories(doc);
        Files.write(doc.resolve("changelog.gz"), gzip(changelog.getBytes(StandardCharsets.UTF_8)));
        for (int i = 3; i < args.length; i++) {
            Path md = Path.of(args[i]);
            Files.write(doc.resolve(md.getFileName() + ".gz"), gzip(Files.readAllBytes(md)));
        }
    }

    /** The package version jdeb makes of a Maven version (snapshotExpand off): 0.1.0-SNAPSHOT is 0.1.0~SNAPSHOT. */
    static String debianVersion(String mavenVersion) {
        return mavenVersion.replaceFirst("[-+]SNAPSHOT$", "~SNAPSHOT").replace('-', '+');
    }

    /** The date of the changelog's newest entry (its " -- NAME <MAIL>  DATE" line), as 2026-12-04. */
    static String newestEntryDate(String changelog) {
        Matcher m = Pattern.compile("(?m)^ -- .+>  (.+)$").matcher(changelog);
        if (!m.find()) throw new IllegalArgumentException("the changelog has no \" -- NAME <MAIL>  DATE\" line");
        return ZonedDateTime.parse(m.group(1).strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toLocalDate().toString();
    }

    /**
     * One page per command and subcommand (picocli's generator walks them), named as man expects:
     * switchboard.1, switchboard-run.1, ...; not for picocli's own help subcommand, whose page would only
     * say "help [COMMAND]". Dated by {@code date} rather than the day of the build, so that one source
     * makes one package.
     */
    static void manPages(CommandSpec root, String date, Path dir) throws IOException {
        Path adocDir = Files.createTempDirectory("switchboard-adoc");
        try {
            int exit = ManPageGenerator.generateManPage(adocDir.toFile(), null, new boolean[0], true, root);
            if (exit != 0) throw new IOException("picocli's ManPageGenerator failed with exit code " + exit);
            Files.createDirectories(dir);
            try (var old = Files.list(dir)) {
                for (Path page : old.toList()) Files.delete(page);   // a page of a command that no longer exists
            }
            Attributes attributes = Attributes.builder().attribute("docdate", date)
                    .attribute("mansource", root.version()[0]).attribute("manmanual", "Switchboard Manual").build();
            try (Asciidoctor asciidoctor = Asciidoctor.Factory.create();
                 var pages = Files.list(adocDir)) {
                for (Path adoc : pages.filter(p -> p.toString().endsWith(".adoc")).sorted().toList()) {
                    String name = adoc.getFileName().toString().replaceFirst("\\.adoc$", "");
                    if (name.equals(root.name() + "-help")) continue;
                    String troff = asciidoctor.convert(Files.readString(adoc, StandardCharsets.UTF_8),
                            Options.builder().backend("manpage").docType("manpage").standalone(true).safe(SafeMode.SAFE)
                                    .attributes(attributes).build());
                    Files.write(dir.resolve(name + ".1.gz"), gzip(troff.getBytes(StandardCharsets.UTF_8)));
                }
            }
        } finally {
            try (var files = Files.list(adocDir)) {
                for (Path f : files.toList()) Files.delete(f);
            }
            Files.delete(adocDir);
        }
    }

    /**
     * gzip -9n: no file name, no time stamp, and the "maximum compression" flag in the header, which
     * lintian checks (java.util.zip.GZIPOutputStream always writes 0 there).
     */
    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 2, 3});
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(data);
        deflater.finish();
        byte[] buf = new byte[8192];
        while (!deflater.finished()) {
            int n = deflater.deflate(buf);
            out.write(buf, 0, n);
        }
        deflater.end();
        CRC32 crc = new CRC32();
        crc.update(data);
        writeIntLe(out, (int) crc.getValue());
        writeIntLe(out, data.length);
        return out.toByteArray();
    }

    private static void writeIntLe(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
