package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.delivery.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReceiverConfigTest {

    @TempDir
    Path dir;

    private static Map<String, Object> webhook(final Map<String, Object> settings) {
        return Map.of("name", "pager", "webhook", settings);
    }

    @Test
    void aWebhookWithSecretsFromTheEnvironmentAndAFile() throws Exception {
        final Path token = dir.resolve("token");
        Files.writeString(token, "from-a-file\n");
        final List<WebhookReceiver> receivers = ReceiverConfig.parse(List.of(Map.of("name", "pager",
                "match", "{severity=\"page\"}",
                "webhook", Map.of("url", "http://pager:9000/hook", "send_resolved", false, "timeout", "2s",
                        "bearer_token_file", token.toString(), "hmac_secret_env", "PAGER_HMAC"))),
                Map.of("PAGER_HMAC", "hmac-value")).webhooks();
        final WebhookReceiver r = receivers.get(0);
        assertThat(r.name()).isEqualTo("pager");
        assertThat(r.url()).hasToString("http://pager:9000/hook");
        assertThat(r.sendResolved()).isFalse();
        assertThat(r.timeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(r.maxInFlight()).isEqualTo(WebhookReceiver.DEFAULT_MAX_IN_FLIGHT);
        assertThat(r.match().orElseThrow().matchers()).hasSize(1);
        assertThat(r.toString()).doesNotContain("from-a-file").doesNotContain("hmac-value");
    }

    @Test
    void anAlertmanagerWithItsResendInterval() {
        final var am = ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "http://alertmanager:9093", "resend_interval", "30s"))), Map.of()).alertmanagers().get(0);
        assertThat(am.url()).hasToString("http://alertmanager:9093");
        assertThat(am.resendInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "http://x", "resend_interval", "0s"))), Map.of()))
                .hasMessage("receivers[0].alertmanager.resend_interval: '0s' is not a positive duration");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "x")), Map.of()))
                .hasMessage("receivers[0]: needs exactly one of webhook or alertmanager");
    }

    @Test
    void requestsInFlightAtOnce() {
        assertThat(ReceiverConfig.parse(List.of(webhook(Map.of("url", "http://x", "max_in_flight", 16))), Map.of())
                .webhooks().get(0).maxInFlight()).isEqualTo(16);
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(webhook(Map.of("url", "http://x", "max_in_flight", 0))), Map.of()))
                .hasMessage("receivers[0].webhook.max_in_flight: '0' is not a whole number from 1 to 64");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(webhook(Map.of("url", "http://x", "max_in_flight", "many"))),
                Map.of())).hasMessage("receivers[0].webhook.max_in_flight: 'many' is not a whole number from 1 to 64");
    }

    @Test
    void errorsNameTheirKeyAndNeverTheSecret() {
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(webhook(Map.of("url", "ftp://x"))), Map.of()))
                .hasMessage("receivers[0].webhook.url: 'ftp://x' is not an http(s) URL");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(webhook(Map.of("url", "http://x", "timeot", "1s"))), Map.of()))
                .hasMessage("receivers[0].webhook.timeot: unknown key; did you mean 'timeout'?");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(webhook(Map.of("url", "http://x", "hmac_secret_env", "NOPE"))),
                Map.of())).hasMessage("receivers[0].webhook.hmac_secret_env: the environment variable NOPE is not set");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(webhook(Map.of("url", "http://x")), webhook(Map.of("url", "http://y"))),
                Map.of())).hasMessage("receivers[1].name: 'pager' is the name of another receiver too");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "p", "match", "{severity=~\"(\"}",
                "webhook", Map.of("url", "http://x"))), Map.of())).hasMessageStartingWith("receivers[0].match: ");
    }
}
