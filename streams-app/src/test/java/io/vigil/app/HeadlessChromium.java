package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Debian's chromium, headless: a page's DOM after its scripts ran, as a browser renders it. */
final class HeadlessChromium {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private HeadlessChromium() {
    }

    /** Skips the test where chromium is not installed, except on CI, which must install it (see .ci/run). */
    static void require() {
        if (!Files.isExecutable(CHROMIUM)) {
            assertThat("true".equals(System.getenv("CI"))).as("CI must install chromium (see .ci/run)").isFalse();
            Assumptions.abort("chromium is not installed; `apt-get install chromium` to run this test");
        }
    }

    /** The DOM of {@code url} after 5 s of the page's virtual time, with a profile of its own under {@code dir}. */
    static String dom(final String url, final Path dir) throws IOException, InterruptedException {
        final Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "chromium"),
                "--virtual-time-budget=5000", "--dump-dom", url)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /**
     * The address of the page opened at {@code url} (what its address bar shows, to be copied) once its script changed
     * it, or as it is after {@code settle} if it did not; read from chromium's DevTools list of its pages.
     */
    static String address(final String url, final Path dir, final Duration settle) throws Exception {
        final Path profile = Files.createTempDirectory(dir, "chromium");
        final Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-port=0", url)
                .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            final HttpClient client = HttpClient.newHttpClient();
            final Instant giveUp = Instant.now().plus(Duration.ofSeconds(30));
            final Path active = profile.resolve("DevToolsActivePort");
            while (!Files.exists(active) || Files.readAllLines(active).isEmpty()) {
                assertThat(Instant.now()).as("chromium's DevTools port").isBefore(giveUp);
                Thread.sleep(100);
            }
            final int port = Integer.parseInt(Files.readAllLines(active).get(0).trim());
            Instant settled = null;
            String seen = null;
            while (true) {
                final JsonNode pages = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode page : pages) {
                    if (page.path("type").asText().equals("page") && page.path("url").asText().startsWith("http")) {
                        seen = page.path("url").asText();
                        settled = settled == null ? Instant.now().plus(settle) : settled;
                    }
                }
                if (seen != null && (!seen.equals(url) || Instant.now().isAfter(settled))) {
                    return seen;
                }
                assertThat(Instant.now()).as("chromium's page").isBefore(giveUp);
                Thread.sleep(100);
            }
        } finally {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
