package io.switchboard.admin;

import io.switchboard.proxy.DebianPeer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Debian Chromium driven by Debian's chromedriver. Installs both with {@link DebianPeer} when
 * they are missing (as the test set-up of a fresh machine must). Selenium Manager never runs: the browser and
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
        DebianPeer.require("chromium", "chromium");
        DebianPeer.require("chromedriver", "chromium-driver");
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
