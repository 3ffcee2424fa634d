package io.switchboard.app;

import static io.switchboard.app.CommandRun.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class SimulateCommandTest {
    @Test
    void simulatesATinyScenarioIntoCsvAndCharts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tiny.yaml");
        Files.writeString(file, """
                scenario: tiny
                algorithms: [round-robin, p2c]
                duration: 3s
                warmup: 1s
                servers:
                  - group: fast
                    count: 4
                    capacity: 2
                    service: {distribution: exponential, mean: 2ms}
                  - group: slow
                    count: 1
                    capacity: 2
                    service: {distribution: exponential, mean: 20ms}
                clients: {rate: 1000}
                sweep: {key: clients.rate, values: [500, 1000]}
                """);
        Path out = dir.resolve("out");
        CommandRun r = run("simulate", "-c", file.toString(), "--out", out.toString(), "--sweep", "--seed", "3");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(0);
        assertThat(r.out()).contains("round-robin @ 500", "p2c @ 1000", "latency-p99-ms", "share-slow");
        assertThat(r.err()).contains("4/4 runs done");

        List<String> csv = Files.readAllLines(out.resolve("summary.csv"));
        assertThat(csv).hasSize(5);
        assertThat(csv.get(0)).startsWith("scenario,algorithm,clients.rate,requests,");
        int share = List.of(csv.get(0).split(",")).indexOf("share-slow");
        // round robin gives the slow server its fifth
        assertThat(Double.parseDouble(csv.get(1).split(",")[share])).isBetween(0.18, 0.22);
        assertThat(Files.readAllLines(out.resolve("series-p2c-500.csv")).get(0)).isEqualTo("time-s,throughput-per-s,p99-ms,share-fast,share-slow,busiest-share");

        BufferedImage png = ImageIO.read(out.resolve("latency-p99-ms.png").toFile());
        assertThat(png.getWidth()).isEqualTo(900);
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        // never fetch the SVG DTD from w3.org: tests talk to loopback only
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document svg = xml.newDocumentBuilder().parse(out.resolve("latency-p99-ms.svg").toFile());
        assertThat(svg.getDocumentElement().getNodeName()).isEqualTo("svg");

        // the same seed gives the same figures
        Path again = dir.resolve("again");
        run("simulate", "-c", file.toString(), "--out", again.toString(), "--sweep", "--seed", "3");
        assertThat(Files.readAllLines(again.resolve("summary.csv"))).isEqualTo(csv);
    }

    @Test
    void withoutSweepRunsOnceAndSaysSo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("one.yaml");
        Files.writeString(file, """
                scenario: one
                algorithms: [least-conn]
                duration: 2s
                warmup: 500ms
                servers: [{group: a, count: 2, service: 1ms}]
                clients: {rate: 200, arrivals: fixed}
                sweep: {key: servers, values: [2, 4]}
                """);
        CommandRun r = run("simulate", "-c", file.toString(), "--out", dir.resolve("o").toString());
        assertThat(r.exitCode()).isEqualTo(0);
        assertThat(r.err()).contains("add --sweep to run them all", "1/1 runs done");
        assertThat(Files.exists(dir.resolve("o/latency.png"))).isTrue();
        assertThat(Files.exists(dir.resolve("o/share-over-time-a.svg"))).isTrue();
    }

    @Test
    void aBadScenarioExitsWithTwoAndSaysWhere(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "scenario: bad\nalgorithms: [p2c]\nservers: [{group: a, service: fast}]\nclients: {rate: 1}\n");
        CommandRun r = run("simulate", "-c", file.toString(), "--out", dir.resolve("o").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(file + ":3: servers[0].service: ");
        assertThat(Files.exists(dir.resolve("o"))).isFalse();
    }
}
