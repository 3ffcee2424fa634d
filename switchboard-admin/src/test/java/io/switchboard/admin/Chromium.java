package io.switchboard.admin;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium driven by Debian's chromedriver. Installs both with apt-get when they are
 * missing (as the test set-up of a fresh machine must). Selenium Manager never runs: the browser and
 * the driver are given by path, so nothing is downloaded. The flags keep Chromium off the network.
 *
 * <p>When the packages cannot be installed (no root, no package mirror), the test is skipped with the
 * reason, except under CI ({@code CI=true}), where it fails: CI must run it.
 */
final class Chromium {
    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {}

    static synchronized void ensureInstalled() throws IOException, InterruptedException {
        if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) return;
        StringBuilder out = new StringBuilder();
        boolean ok = run(List.of("apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"), out)
                || run(List.of("apt-get", "update"), out)
                && run(List.of("apt-get", "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"), out);
        if (ok && Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) return;
        String tail = out.length() > 2000 ? out.substring(out.length() - 2000) : out.toString();
        String why = "Debian chromium and chromium-driver are needed and could not be installed:\n" + tail;
        if ("true".equals(System.getenv("CI"))) throw new IllegalStateException(why);
        Assumptions.abort(why);
    }

    private static boolean run(List<String> cmd, StringBuilder out) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
        Path log = Files.createTempFile("apt", ".log");
        pb.redirectOutput(log.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            out.append(cmd).append(": ").append(e.getMessage()).append('\n');
            return false;
        }
        boolean finished = p.waitFor(10, TimeUnit.MINUTES);
        if (!finished) p.destroyForcibly();
        out.append(String.join(" ", cmd)).append(":\n").append(Files.readString(log, StandardCharsets.UTF_8));
        Files.deleteIfExists(log);
        return finished && p.exitValue() == 0;
    }

    /** A headless browser with a fresh profile in {@code profile}; the caller quits it. */
    static ChromeDriver start(Path profile, int width, int height) {
        ChromeOptions o = new ChromeOptions();
        o.setBinary(BROWSER.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-extensions", "--disable-default-apps", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--window-size=" + width + "," + height, "--user-data-dir=" + profile.toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(DRIVER.toString()))
                .usingAnyFreePort()
                .withTimeout(Duration.ofSeconds(30))
                .build();
        return new ChromeDriver(service, o);
    }
}
