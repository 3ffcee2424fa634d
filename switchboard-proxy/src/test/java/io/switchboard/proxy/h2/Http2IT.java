package io.switchboard.proxy.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.proxy.DebianPeer;
import io.switchboard.proxy.ProxyFixture;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP/2 end to end with real clients (curl, nghttp) through the proxy to HTTP/1.1 back ends. */
class Http2IT {
    private ProxyFixture f;

    @AfterEach
    void tearDown() {
        if (f != null) f.close();
    }

    @Test
    void curlPriorKnowledgeGetsTheBackEndsAnswerOverH2c() throws Exception {
        DebianPeer.require("curl", "curl");
        f = new ProxyFixture().backends("alpha").start();
        DebianPeer.Result r = DebianPeer.run(List.of("curl", "-sS", "-i", "--http2-prior-knowledge", "--max-time", "10",
                "http://127.0.0.1:" + f.port() + "/hello"), 20);
        assertThat(r.output()).startsWith("HTTP/2 200");
        assertThat(r.output()).contains("alpha");
    }
}
