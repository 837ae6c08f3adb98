package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page opened with the API's token in its address ({@code /#token=TOKEN}) takes it out of the address at once, so
 * that the address copied to share a view (a filter, a rule) never hands the token out; and asks the API with it. In
 * headless chromium, against the HTTP endpoints alone: the API answers 503 (the engine is not up) to a request with the
 * right token, 401 to one without.
 */
class AlertsPageTokenIT {

    @TempDir
    Path dir;

    @Test
    void thePageTakesTheTokenOutOfItsAddressAndAsksTheApiWithIt() throws Exception {
        HeadlessChromium.require();
        try (HttpEndpoints http = HttpEndpoints.start("127.0.0.1", 0, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                () -> Readiness.ready("ready"), Optional.of("tok-SECRET_42"))) {
            final String page = "http://127.0.0.1:" + http.port() + "/";
            assertThat(HeadlessChromium.changedAddress(page + "#token=tok-SECRET_42&filter=severity%3Dpage", dir,
                    Duration.ofSeconds(10))).isEqualTo(page + "#filter=severity%3Dpage");
            assertThat(HeadlessChromium.changedAddress(page + "#filter=a%3Db&token=tok-SECRET_42&rule=g%2FA", dir,
                    Duration.ofSeconds(10))).isEqualTo(page + "#filter=a%3Db&rule=g%2FA");
            assertThat(HeadlessChromium.changedAddress(page + "#token=tok-SECRET_42", dir, Duration.ofSeconds(10)))
                    .isEqualTo(page);
            // With the token, the API answers (not up yet); without it, the page says it needs it.
            assertThat(HeadlessChromium.dom(page + "#token=tok-SECRET_42&filter=severity%3Dpage", dir))
                    .contains("<div id=\"error\" class=\"error\">Cannot reach Vigil's API: starting: the engine is not up"
                            + " yet</div>");
            assertThat(HeadlessChromium.dom(page, dir)).contains("<div id=\"error\" class=\"error\">Cannot reach Vigil's"
                    + " API: it needs the token (http.bearer_token_*): open the page once as /#token=TOKEN</div>");
        }
    }
}
