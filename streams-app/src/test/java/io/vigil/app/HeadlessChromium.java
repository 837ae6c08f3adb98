package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.ArrayList;
import java.util.List;
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
        final Process p = new ProcessBuilder(command(Files.createTempDirectory(dir, "chromium"), url,
                "--virtual-time-budget=5000", "--dump-dom"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /**
     * The address of the page opened at {@code url} (what its address bar shows, to be copied) once its script has
     * changed it, read from chromium's DevTools list of its pages; the test fails, naming the address, if the script
     * did not change it within {@code atMost} of the page's opening.
     */
    static String changedAddress(final String url, final Path dir, final Duration atMost) throws Exception {
        final Path profile = Files.createTempDirectory(dir, "chromium");
        final Process p = new ProcessBuilder(command(profile, url, "--remote-debugging-port=0"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            final Path active = profile.resolve("DevToolsActivePort");
            final List<String> port = await("chromium's DevTools port").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).until(
                            () -> Files.exists(active) ? Files.readAllLines(active) : List.of(), l -> !l.isEmpty());
            final HttpClient client = HttpClient.newHttpClient();
            final URI pages = URI.create("http://127.0.0.1:" + port.get(0).trim() + "/json/list");
            // Until it opened (its DevTools may answer a moment after the port is written), then until its script acts.
            return await("the page's address, changed by its script").atMost(atMost.plusSeconds(30))
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> pageAddress(client, pages), seen -> seen != null && !seen.equals(url));
        } finally {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The address of the first web page chromium lists, or null before it has one. */
    private static String pageAddress(final HttpClient client, final URI pages) throws Exception {
        final JsonNode list = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(pages).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode page : list) {
            if (page.path("type").asText().equals("page") && page.path("url").asText().startsWith("http")) {
                return page.path("url").asText();
            }
        }
        return null;
    }

    /** Headless chromium with a profile of its own, none of its background traffic, {@code options}, at {@code url}. */
    private static List<String> command(final Path profile, final String url, final String... options) {
        final List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile));
        command.addAll(List.of(options));
        command.add(url);
        return command;
    }
}
