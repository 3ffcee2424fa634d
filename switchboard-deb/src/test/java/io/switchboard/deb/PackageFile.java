package io.switchboard.deb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The .deb the package phase of this module wrote (tests run in integration-test, after it). Stateless. */
final class PackageFile {
    private PackageFile() {}

    static Path built() throws IOException {
        Path target = Path.of("target");
        List<Path> debs;
        try (Stream<Path> files = Files.list(target)) {
            debs = files.filter(p -> p.getFileName().toString().matches("switchboard_.+_all\\.deb")).toList();
        }
        if (debs.size() != 1) {
            throw new IllegalStateException("expected exactly one switchboard_*_all.deb in " + target.toAbsolutePath()
                    + " (written by jdeb in the package phase), found " + debs);
        }
        return debs.get(0);
    }
}
