package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.PersistenceConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PersistenceConfigLoaderTest {
    private static final String HEAD = ConfigText.ONE_SERVER + "    persistence:\n";

    private static PersistenceConfig persistence(String body) throws ConfigException {
        return ConfigLoader.parse(HEAD + body, "switchboard.yaml", null).config().pools().get("app").persistence();
    }

    private static List<String> errors(String body) {
        return ConfigText.errors(() -> persistence(body));
    }

    @Test
    void cookieWithEveryKey() throws Exception {
        PersistenceConfig p = persistence("""
                      cookie: {name: SB, max-idle: 30m, max-life: 8h, secure: true, httponly: false, samesite: strict, secret-env: PATH}
                """);
        assertThat(p).isEqualTo(new PersistenceConfig.Cookie("SB", Duration.ofMinutes(30), Duration.ofHours(8), true, false,
                "Strict", "PATH"));
    }

    @Test
    void cookieDefaults() throws Exception {
        assertThat(persistence("      cookie:\n")).isEqualTo(
                new PersistenceConfig.Cookie("SRV", Duration.ZERO, Duration.ZERO, false, true, "Lax", null));
    }

    @Test
    void sameSiteNoneWithoutSecureIsAWarning() throws Exception {
        assertThat(ConfigLoader.parse(HEAD + "      cookie: {samesite: none}\n", "switchboard.yaml", null).warnings())
                .map(ConfigProblem::toString).containsExactly("switchboard.yaml:10: warning: pools.app.persistence.cookie.samesite:"
                        + " browsers ignore a SameSite=None cookie without Secure (set secure: true, or use lax)");
        assertThat(ConfigLoader.parse(HEAD + "      cookie: {samesite: none, secure: true}\n", "switchboard.yaml", null).warnings())
                .isEmpty();
    }

    @Test
    void appCookieAndStick() throws Exception {
        assertThat(persistence("      app-cookie: {name: JSESSIONID, expire: 10m, size: 50}\n"))
                .isEqualTo(new PersistenceConfig.AppCookie("JSESSIONID", Duration.ofMinutes(10), 50));
        assertThat(persistence("      stick: {on: \"header:X-User\"}\n")).isEqualTo(new PersistenceConfig.Stick(
                new PersistenceConfig.StickOn(PersistenceConfig.StickOn.Source.HEADER, "X-User"),
                PersistenceConfig.DEFAULT_EXPIRE, PersistenceConfig.DEFAULT_SIZE));
        assertThat(((PersistenceConfig.Stick) persistence("      stick: {on: client-address, size: 7}\n")).on().source())
                .isEqualTo(PersistenceConfig.StickOn.Source.CLIENT_ADDRESS);
    }

    @Test
    void mistakesNameTheLineKeyAndWhatIsAllowed() {
        assertThat(errors("      cookie: {name: SRV}\n      stick: {on: client-address}\n")).containsExactly(
                "switchboard.yaml:11: pools.app.persistence: a pool has one kind of persistence; found cookie and stick (keep one of them)");
        assertThat(errors("      cookies: {name: SRV}\n")).containsExactly(
                "switchboard.yaml:10: pools.app.persistence.cookies: unknown key 'cookies', did you mean 'cookie'? (allowed: cookie, app-cookie, stick)");
        assertThat(errors("      stick: {on: \"heder:X\"}\n")).containsExactly(
                "switchboard.yaml:10: pools.app.persistence.stick.on: 'heder:X' is not a stick key (client-address, header:NAME, cookie:NAME or query:NAME)");
        assertThat(errors("      stick: {size: 10}\n")).containsExactly(
                "switchboard.yaml:10: pools.app.persistence.stick.on: required key is missing (client-address, header:NAME, cookie:NAME or query:NAME)");
        assertThat(errors("      stick: {on: \"query:\", size: 0}\n")).containsExactly(
                "switchboard.yaml:10: pools.app.persistence.stick.on: 'query:' names no query (write query:NAME)",
                "switchboard.yaml:10: pools.app.persistence.stick.size: 0 is out of range (allowed: 1-10000000)");
        assertThat(errors("      cookie: {name: \"S;RV\", samesite: loose}\n")).containsExactly(
                "switchboard.yaml:10: pools.app.persistence.cookie.name: cookie name 'S;RV' has ';' (RFC 9110 token characters only: letters, digits and !#$%&'*+-.^_`|~)",
                "switchboard.yaml:10: pools.app.persistence.cookie.samesite: 'loose' is not a SameSite value (lax, strict or none)");
        assertThat(errors("      cookie: {secret-env: SB_SURELY_NOT_SET_1234}\n")).containsExactly(
                "switchboard.yaml:10: pools.app.persistence.cookie.secret-env: environment variable SB_SURELY_NOT_SET_1234 is not set or empty"
                        + " (set it to a secret shared by every node, or remove the key for a random key per process)");
        assertThat(errors("      app-cookie: {expire: 1m}\n")).containsExactly(
                "switchboard.yaml:10: pools.app.persistence.app-cookie.name: required key is missing (the application's session cookie, e.g. JSESSIONID)");
        assertThat(errors("      {}\n")).containsExactly("switchboard.yaml:9: pools.app.persistence: expected one of cookie,"
                + " app-cookie, stick (or remove the key for no persistence)");
    }
}
