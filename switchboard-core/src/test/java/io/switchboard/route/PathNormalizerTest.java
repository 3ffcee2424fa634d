package io.switchboard.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PathNormalizerTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/admin, /admin",
            "/%61dmin, /admin",
            "/./admin, /admin",
            "//admin, /admin",
            "/x/../admin, /admin",
            "/x//../admin, /admin",
            "/%2e%2e/admin, /admin",
            "/admin/, /admin/",
            "/ADMIN, /ADMIN",
            "/%2561dmin, /%2561dmin",
            "/a%3fb, /a%3Fb",
            "/%7Euser, /~user",
            "/.., /",
            "/a/b/../../.., /",
            "/a/., /a/",
            "/a/b/.., /a/",
            "/.well-known/x, /.well-known/x",
            "/a;b=1/c, /a;b=1/c",
            "*, *",
    })
    void normalises(String in, String out) throws Exception {
        assertThat(PathNormalizer.normalize(in)).isEqualTo(out);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "/b, /b",
            "/a/../b?x=1, /b",
            "/%62?, /b",
            "//b, /b",
            "/a%2Fb?q, /a%2Fb",
            "/%zz, /%zz",
            "-, -",
    })
    void thePathKeyIsTheNormalisedPathWithoutTheQueryAndARefusedPathAsItIs(String target, String key) {
        assertThat(PathNormalizer.pathKey(target)).isEqualTo(key);
    }

    @Test
    void aNormalTargetWithoutQueryIsItsOwnPathKey() {
        String t = "/index.html";
        assertThat(PathNormalizer.pathKey(t)).isSameAs(t);
    }

    @Test
    void aNormalPathIsReturnedAsItIs() throws Exception {
        String p = "/static/app.js";
        assertThat(PathNormalizer.normalize(p)).isSameAs(p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%2Fb", "/a%2fb", "/a%00b", "/a\u0000b", "/%zz", "/%4", "/a%", "/a%5Cb", "/a\\b", "/x/..;/admin",
            "/.;/admin", "/a\tb"})
    void refuses(String in) {
        assertThatThrownBy(() -> PathNormalizer.normalize(in)).isInstanceOf(PathNormalizer.RefusedPath.class)
                .hasMessageContaining("path");
    }
}
