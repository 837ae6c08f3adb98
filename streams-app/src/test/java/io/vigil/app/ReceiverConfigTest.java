package io.vigil.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vigil.delivery.RetryPolicy;
import io.vigil.delivery.WebhookReceiver;
import java.net.URI;
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
                .hasMessage("receivers[0].alertmanager.resend_interval: '0s' must be from 1s to 1h");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "http://x", "resend_interval", "2h"))), Map.of()))
                .hasMessage("receivers[0].alertmanager.resend_interval: '2h' must be from 1s to 1h");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "x")), Map.of()))
                .hasMessage("receivers[0]: needs exactly one of webhook or alertmanager");
    }

    @Test
    void anAlertmanagerUrlIsItsBaseNotItsApiPath() {
        for (String api : new String[] {"/api/v2/alerts", "/api/v1/alerts/", "/api/v2", "/api", "/API/V2/Alerts"}) {
            assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                    Map.of("url", "http://127.0.0.1:19093" + api))), Map.of()))
                    .as(api).isInstanceOf(ConfigException.class)
                    .hasMessage("receivers[0].alertmanager.url: 'http://127.0.0.1:19093/...' ends with"
                            + " Alertmanager's API path ('" + api + "'), which Vigil adds (it pushes to"
                            + " URL/api/v2/alerts); give the base URL, without '" + api + "'");
        }
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "https://ops.example.com/alertmanager/api/v2/alerts"))), Map.of()))
                .hasMessage("receivers[0].alertmanager.url: 'https://ops.example.com/...' ends with Alertmanager's"
                        + " API path ('/api/v2/alerts'), which Vigil adds (it pushes to URL/api/v2/alerts); give the base"
                        + " URL, without '/api/v2/alerts'");
        // The API path would be added after a query or a fragment: every push would go to the base path.
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "http://am:9093/am?tenant=ops"))), Map.of()))
                .hasMessage("receivers[0].alertmanager.url: 'http://am:9093/...' has a query ('?'), which"
                        + " Alertmanager's base URL cannot have (Vigil pushes to URL/api/v2/alerts); give the base URL,"
                        + " without the query");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "http://am:9093#top"))), Map.of()))
                .hasMessageContaining("'http://am:9093/...' has a fragment ('#')")
                .hasMessageEndingWith("give the base URL, without the fragment");
        // Behind a path prefix (Prometheus' path_prefix), the prefix is the base URL.
        for (String base : new String[] {"http://host/alertmanager", "http://host/alertmanager/", "http://am:9093/",
                "http://host/apis", "http://host/api-gateway/am"}) {
            assertThat(ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager", Map.of("url", base))),
                    Map.of()).alertmanagers().get(0).url()).as(base).hasToString(base);
        }
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
                .hasMessage("receivers[0].webhook.url: 'ftp://x' is not an http(s) URL: scheme 'ftp' is not http or"
                        + " https");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(webhook(Map.of("url", "http://x", "timeot", "1s"))), Map.of()))
                .hasMessage("receivers[0].webhook.timeot: unknown key; did you mean 'timeout'?");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(webhook(Map.of("url", "http://x", "hmac_secret_env", "NOPE"))),
                Map.of())).hasMessage("receivers[0].webhook.hmac_secret_env: the environment variable NOPE is not set");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(webhook(Map.of("url", "http://x")), webhook(Map.of("url", "http://y"))),
                Map.of())).hasMessage("receivers[1].name: 'pager' is the name of another receiver too");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "p", "match", "{severity=~\"(\"}",
                "webhook", Map.of("url", "http://x"))), Map.of())).hasMessageStartingWith("receivers[0].match: ");
    }

    /**
     * formats.md: retries back off "bounded, configurable". The backoff is each webhook's own, 500ms doubling to 60s
     * unless it says otherwise; max_backoff also bounds a Retry-After.
     */
    @Test
    void aWebhooksBackoffIsItsOwnAndCheckedAtStart() {
        assertThat(parse(Map.of("url", "http://x")).retry()).isEqualTo(RetryPolicy.DEFAULT)
                .isEqualTo(new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(60)));
        assertThat(parse(Map.of("url", "http://x", "min_backoff", "2s", "max_backoff", "5m")).retry())
                .isEqualTo(new RetryPolicy(Duration.ofSeconds(2), Duration.ofMinutes(5)));
        assertThat(parse(Map.of("url", "http://x", "max_backoff", "10s")).retry())
                .isEqualTo(new RetryPolicy(Duration.ofMillis(500), Duration.ofSeconds(10)));
        assertThat(parse(Map.of("url", "http://x", "min_backoff", "1s", "max_backoff", "1s")).retry())
                .isEqualTo(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1)));
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "min_backoff", "50ms")))
                .hasMessage("receivers[0].webhook.min_backoff: '50ms' must be from 100ms to 10m");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "min_backoff", "11m", "max_backoff", "1h")))
                .hasMessage("receivers[0].webhook.min_backoff: '11m' must be from 100ms to 10m");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "max_backoff", "2h")))
                .hasMessage("receivers[0].webhook.max_backoff: '2h' must be from 100ms to 1h");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "max_backoff", "soon")))
                .hasMessage("receivers[0].webhook.max_backoff: 'soon' is not a duration like 5s or 2m");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "min_backoff", "2s", "max_backoff", "1s")))
                .hasMessage("receivers[0].webhook.max_backoff: '1s' is shorter than min_backoff ('2s'); max_backoff"
                        + " bounds every wait");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "max_backoff", "200ms")))
                .hasMessage("receivers[0].webhook.max_backoff: '200ms' is shorter than min_backoff (the default"
                        + " 500ms); max_backoff bounds every wait");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "min_backoff", "2m")))
                .hasMessage("receivers[0].webhook.min_backoff: '2m' is longer than max_backoff (the default 1m); set"
                        + " max_backoff too");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "max_backof", "2m")))
                .hasMessage("receivers[0].webhook.max_backof: unknown key; did you mean 'max_backoff'?");
    }

    /** Values every request would fail on, refused at start: delivery to such a receiver used to die. */
    @Test
    void refusesWhatEveryRequestWouldFailOn() throws Exception {
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "timeout", "0s")))
                .hasMessage("receivers[0].webhook.timeout: '0s' must be from 1ms to 10m");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "timeout", "11m")))
                .hasMessage("receivers[0].webhook.timeout: '11m' must be from 1ms to 10m");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "timeout", "soon")))
                .hasMessage("receivers[0].webhook.timeout: 'soon' is not a duration like 5s or 2m");
        assertThatThrownBy(() -> parse(Map.of("url", "http://127.0.0.1:99999/x")))
                .hasMessage("receivers[0].webhook.url: port 99999 is not a port from 1 to 65535");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "http://am:0"))), Map.of()))
                .hasMessage("receivers[0].alertmanager.url: port 0 is not a port from 1 to 65535");
        final Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "hmac_secret_file", empty.toString())))
                .hasMessage("receivers[0].webhook.hmac_secret_file: " + empty + " is empty");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "bearer_token_file", empty.toString())))
                .hasMessage("receivers[0].webhook.bearer_token_file: " + empty + " is empty");
    }

    @Test
    void aSecretLosesItsTrailingNewlineAndMayNotHoldAnotherControlCharacter() throws Exception {
        final Path echoed = Files.writeString(dir.resolve("echoed"), "tok-FILE-SECRET\n");
        assertThat(revealed(parse(Map.of("url", "http://x", "bearer_token_file", echoed.toString())).bearerToken()))
                .isEqualTo("tok-FILE-SECRET");
        assertThat(revealed(parse(Map.of("url", "http://x", "hmac_secret_env", "H"), Map.of("H", "tok-ENV-SECRET\r\n"))
                .hmacSecret())).isEqualTo("tok-ENV-SECRET");
        final Path twoLines = Files.writeString(dir.resolve("two"), "abc-SECRET\ndef-SECRET\n");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "bearer_token_file", twoLines.toString())))
                .hasMessage("receivers[0].webhook.bearer_token_file: " + twoLines + " holds a control character"
                        + " (a line break?) inside the secret; it must be one line")
                .hasMessageNotContaining("SECRET");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "bearer_token_env", "T"), Map.of("T", "abc-SECRET\rdef")))
                .hasMessage("receivers[0].webhook.bearer_token_env: the environment variable T holds a control character"
                        + " (a line break?) inside the secret; it must be one line");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "bearer_token_env", "T"), Map.of("T", "a\u0000b")))
                .hasMessageContaining("holds a control character");
        assertThatThrownBy(() -> parse(Map.of("url", "http://x", "bearer_token_env", "T"), Map.of("T", " \n")))
                .hasMessage("receivers[0].webhook.bearer_token_env: the environment variable T is not set");
    }

    /** Credentials in a URL were printed at start, and never sent. */
    @Test
    void refusesCredentialsInAUrlWithoutShowingThem() {
        assertThatThrownBy(() -> parse(Map.of("url", "http://user:pa55-SECRET@127.0.0.1:18901/ok")))
                .hasMessage("receivers[0].webhook.url: credentials in the URL (user:password@) are not sent; use"
                        + " bearer_token_file or bearer_token_env");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "http://admin@am:9093"))), Map.of()))
                .hasMessage("receivers[0].alertmanager.url: credentials in the URL (user:password@) are not sent");
        // Not a URL for java.net.URI (the underscore), but the password is still left out of the message.
        assertThatThrownBy(() -> parse(Map.of("url", "http://user:pa55-SECRET@bad_host:9000/x")))
                .hasMessageNotContaining("SECRET");
        assertThatThrownBy(() -> parse(Map.of("url", "ftp://user:pa55-SECRET@x/")))
                .hasMessageNotContaining("SECRET");
    }

    @Test
    void theStartUpLineShowsAUrlWithoutItsPathOrQuery() {
        assertThat(ReceiverConfig.shown(URI.create("https://hooks.slack.com/services/T0/B0/SECRET")))
                .isEqualTo("https://hooks.slack.com/...");
        assertThat(ReceiverConfig.shown(URI.create("http://pager-bridge:9000/x?token=SECRET")))
                .isEqualTo("http://pager-bridge:9000/...");
        assertThat(ReceiverConfig.shown(URI.create("http://am:9093/?key=SECRET"))).isEqualTo("http://am:9093/...");
        assertThat(ReceiverConfig.shown(URI.create("http://am:9093/"))).isEqualTo("http://am:9093/");
        assertThat(ReceiverConfig.shown(URI.create("http://am:9093"))).isEqualTo("http://am:9093");
    }

    /**
     * Messages about a receiver's URL show it as the start-up line does: a Slack, Teams or PagerDuty-style URL holds its
     * secret in the path or query, and a password with an unencoded '/' or '#' was printed whole.
     */
    @Test
    void messagesAboutAUrlShowNoPathQueryFragmentOrCredentials() {
        assertThatThrownBy(() -> parse(Map.of("url",
                "htps://hooks.slack.com/services/T000/B000/PATHSECRET_XYZ?token=QUERYSECRET_QQQ")))
                .hasMessage("receivers[0].webhook.url: 'htps://hooks.slack.com/...' is not an http(s) URL: scheme"
                        + " 'htps' is not http or https");
        assertThatThrownBy(() -> parse(Map.of("url", "http://pager_bridge:9000/services/PATHSECRET_XYZ?t=QUERYSECRET")))
                .hasMessageStartingWith("receivers[0].webhook.url: the host name in 'http://pager_bridge:9000/...' has"
                        + " an '_'");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "http://am:9093/PATHSECRET_XYZ?token=QUERYSECRET_QQQ"))), Map.of()))
                .hasMessageStartingWith("receivers[0].alertmanager.url: 'http://am:9093/...' has a query ('?')");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "http://am:9093/PATHSECRET_XYZ/api/v2/alerts"))), Map.of()))
                .hasMessageStartingWith("receivers[0].alertmanager.url: 'http://am:9093/...' ends with");
        for (String url : new String[] {"http://user:pa/ss_SECRET@host/", "http://user:p#ss_SECRET@host/",
                "http://user:p?ss_SECRET@host/", "https://user:pa/ss SECRET@host/x"}) {
            assertThatThrownBy(() -> parse(Map.of("url", url))).as(url)
                    .hasMessage("receivers[0].webhook.url: credentials in the URL (user:password@) are not sent; use"
                            + " bearer_token_file or bearer_token_env");
        }
        // Not a URL: only the scheme and host are shown, and what is wrong.
        assertThatThrownBy(() -> parse(Map.of("url", "https://hooks.example.com/services/PATH SECRET")))
                .hasMessage("receivers[0].webhook.url: 'https://hooks.example.com/...' is not a valid URL: illegal"
                        + " character in path (character 40)");
        assertThatThrownBy(() -> parse(Map.of("url", "http://host:PORTSECRET/x")))
                .hasMessage("receivers[0].webhook.url: 'http://...' has no valid host[:port] (host names hold letters,"
                        + " digits, '-' and '.'), e.g. http://pager-bridge:9000/path");
        assertThatThrownBy(() -> parse(Map.of("url", "hooks.slack.com/services/T000/B000/PATHSECRET_XYZ")))
                .hasMessage("receivers[0].webhook.url: the value is not an http(s) URL like http://host:9000/path"
                        + " (http:// or https:// is needed)");
        assertThatThrownBy(() -> parse(Map.of("url", "BEARERSECRET_9f8e7d"))).hasMessageNotContaining("SECRET");
        assertThatThrownBy(() -> parse(Map.of("url", "ftp://user:p/SECRET@x/"))).hasMessageNotContaining("SECRET");
        assertThat(ReceiverConfig.shown("http://[::1]:9000/SECRET")).isEqualTo("http://[::1]:9000/...");
        assertThat(ReceiverConfig.shown("localhost:9093/SECRET")).isEqualTo("localhost:9093/...");
        assertThat(ReceiverConfig.shown("http://u:SECRET@h/")).isEqualTo("http://...");
        assertThat(ReceiverConfig.shown("http://h?SECRET")).isEqualTo("http://h/...");
        assertThat(ReceiverConfig.shown("http://h#SECRET")).isEqualTo("http://h/...");
    }

    /** A name before the braces was taken as a metric name and ignored, so the receiver got every severity=page alert. */
    @Test
    void refusesANameBeforeTheMatchersAndSaysHowToMatchTheAlertName() {
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "p", "match", "NoSuchAlert{severity=\"page\"}",
                "webhook", Map.of("url", "http://x"))), Map.of()))
                .hasMessage("receivers[0].match: 'NoSuchAlert{severity=\"page\"}' has a name before '{', which alerts do"
                        + " not have; write {alertname=\"NoSuchAlert\", severity=\"page\"} to match the alert's name");
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "p", "match", "NodeDown {}",
                "webhook", Map.of("url", "http://x"))), Map.of()))
                .hasMessageContaining("write {alertname=\"NodeDown\"} to match");
        assertThat(ReceiverConfig.parse(List.of(Map.of("name", "p", "match", " {alertname=\"NodeDown\"}",
                "webhook", Map.of("url", "http://x"))), Map.of()).webhooks().get(0).match().orElseThrow().matchers())
                .hasSize(1);
    }

    /** Schemes are case-insensitive; a host with an underscore cannot be sent to, and the message says why. */
    @Test
    void urlSchemesAreCaseInsensitiveAndAnUnderscoreInTheHostIsNamedAsTheProblem() {
        assertThat(parse(Map.of("url", "HTTP://127.0.0.1:18901/ok")).url()).hasToString("http://127.0.0.1:18901/ok");
        assertThat(ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager", Map.of("url", "Https://am:9093"))),
                Map.of()).alertmanagers().get(0).url()).hasToString("https://am:9093");
        assertThatThrownBy(() -> parse(Map.of("url", "http://pager_bridge:9000/x")))
                .hasMessage("receivers[0].webhook.url: the host name in 'http://pager_bridge:9000/...' has an '_', which"
                        + " host names may not hold (RFC 952, java.net.URI); use '-' instead (a service or network"
                        + " alias): pager-bridge");
        // The same words for a webhook and an Alertmanager.
        assertThatThrownBy(() -> ReceiverConfig.parse(List.of(Map.of("name", "am", "alertmanager",
                Map.of("url", "127.0.0.1:9093"))), Map.of()))
                .hasMessage("receivers[0].alertmanager.url: '127.0.0.1:9093' is not an http(s) URL like"
                        + " http://host:9000/path (http:// or https:// is needed)");
        assertThatThrownBy(() -> parse(Map.of("url", "127.0.0.1:9093")))
                .hasMessage("receivers[0].webhook.url: '127.0.0.1:9093' is not an http(s) URL like"
                        + " http://host:9000/path (http:// or https:// is needed)");
        assertThatThrownBy(() -> parse(Map.of("url", "localhost:9093")))
                .hasMessage("receivers[0].webhook.url: 'localhost:9093' is not an http(s) URL like"
                        + " http://host:9000/path (http:// or https:// is needed)");
    }

    private static WebhookReceiver parse(final Map<String, Object> settings) {
        return parse(settings, Map.of());
    }

    private static WebhookReceiver parse(final Map<String, Object> settings, final Map<String, String> env) {
        return ReceiverConfig.parse(List.of(webhook(settings)), env).webhooks().get(0);
    }

    /** The value of a secret: {@code reveal()} is for delivery's package only. */
    private static String revealed(final java.util.Optional<WebhookReceiver.Secret> secret) throws Exception {
        final var field = WebhookReceiver.Secret.class.getDeclaredField("value");
        field.setAccessible(true);
        return (String) field.get(secret.orElseThrow());
    }
}
