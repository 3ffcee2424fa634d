package io.switchboard.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.config.TcpValidateConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code validate:} keys of {@code mode: tcp} listeners: what loads, and the file:line errors. */
class TcpValidateConfigLoaderTest {
    private static final String POOLS = """
            pools:
              app:
                servers:
                  - name: a
                    address: 127.0.0.1:9001
              web:
                servers:
                  - name: w
                    address: 127.0.0.1:9002
            """;

    private static TcpValidateConfig load(String listener) throws ConfigException {
        return ConfigLoader.parse("listeners:\n  - port: 8080\n    default-pool: app\n" + listener + POOLS, "switchboard.yaml", null)
                .config().listeners().get(0).validate();
    }

    private static List<String> errors(String listener) {
        return ConfigText.errors(() -> ConfigLoader.parse("listeners:\n  - port: 8080\n    default-pool: app\n" + listener + POOLS,
                "switchboard.yaml", null));
    }

    @Test
    void tlsWithSniRoutes() throws ConfigException {
        TcpValidateConfig v = load("""
                    mode: tcp
                    validate: tls
                    sni-routes:
                      - names: [www.example.com, "*.Example.com."]
                        pool: web
                """);
        assertThat(v.kind()).isEqualTo(TcpValidateConfig.Kind.TLS);
        assertThat(v.sniRoutes()).containsExactly(new TcpValidateConfig.SniRoute(List.of("www.example.com", "*.example.com"), "web"));
    }

    @Test
    void httpTakesTheHttpPathAndItsSettings() throws ConfigException {
        var l = ConfigLoader.parse("""
                listeners:
                  - port: 8080
                    default-pool: app
                    mode: tcp
                    validate: http
                    header-timeout: 3s
                    max-header-size: 8k
                """ + POOLS, "switchboard.yaml", null).config().listeners().get(0);
        assertThat(l.validate()).isEqualTo(TcpValidateConfig.HTTP);
        assertThat(l.servesHttp()).isTrue();
        assertThat(l.headerTimeout()).hasSeconds(3);
        assertThat(l.maxHeaderSize()).isEqualTo(8192);
        assertThat(l.clientIdleTimeout()).isEqualTo(ListenerSection.DEFAULT_CLIENT_IDLE_TIMEOUT); // HTTP's, not TCP's hour
        assertThat(errors("    mode: tcp\n    validate: none\n    header-timeout: 3s\n")).singleElement().asString()
                .contains("header-timeout: applies to mode: http listeners only");
        assertThat(errors("    mode: tcp\n    validate: http\n    max-line: 1k\n")).singleElement().asString()
                .contains("max-line: applies to validate: line or resp only; this listener has validate: http");
    }

    @Test
    void lineWithWordsAndAnErrorLineEndingInCrLf() throws ConfigException {
        TcpValidateConfig v = load("""
                    mode: tcp
                    validate: line
                    max-line: 1k
                    first-words: [EHLO, HELO, MAIL]
                    error-line: "500 5.5.2 line too long"
                """);
        assertThat(v.kind()).isEqualTo(TcpValidateConfig.Kind.LINE);
        assertThat(v.maxLine()).isEqualTo(1024);
        assertThat(v.firstWords()).containsExactly("EHLO", "HELO", "MAIL");
        assertThat(v.errorLine()).isEqualTo("500 5.5.2 line too long\r\n");
        assertThat(load("    mode: tcp\n")).isEqualTo(TcpValidateConfig.NONE);
    }

    @Test
    void respTakesTheLineKeys() throws ConfigException {
        TcpValidateConfig v = load("""
                    mode: tcp
                    validate: resp
                    max-line: 64k
                    first-words: [PING, GET, SET]
                    error-line: "-ERR command not allowed"
                """);
        assertThat(v).isEqualTo(TcpValidateConfig.resp(65536, List.of("PING", "GET", "SET"), "-ERR command not allowed\r\n"));
    }

    @Test
    void mistakesNameTheirLineAndKey() {
        assertThat(errors("""
                    mode: tcp
                    validate: tsl
                """)).containsExactly("switchboard.yaml:5: listeners[0].validate: unknown value 'tsl',"
                + " did you mean 'tls'? (allowed: http, line, none, resp, tls)");
        assertThat(errors("""
                    mode: tcp
                    validate: tls
                    sni-routes:
                      - names: [a.example.com, "bad name", a.example.com]
                        pool: wbe
                    max-line: 100
                """)).containsExactly(
                "switchboard.yaml:7: listeners[0].sni-routes[0].names[1]: 'bad name' is not a host name or *. and a domain"
                        + " (a.example.com, *.example.com)",
                "switchboard.yaml:7: listeners[0].sni-routes[0].names[2]: server name 'a.example.com' is already routed (line 7)",
                "switchboard.yaml:8: listeners[0].sni-routes[0].pool: no pool named 'wbe', did you mean 'web'? (pools: app, web)",
                "switchboard.yaml:9: listeners[0].max-line: applies to validate: line or resp only; this listener has validate: tls");
        assertThat(errors("""
                    validate: line
                """)).containsExactly("switchboard.yaml:4: listeners[0].validate: applies to mode: tcp listeners only;"
                + " this listener has mode: http");
    }
}
