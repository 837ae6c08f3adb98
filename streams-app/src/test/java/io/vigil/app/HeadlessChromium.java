package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
