package io.vigil.app;

import io.vigil.delivery.AlertmanagerReceiver;
import io.vigil.delivery.RetryPolicy;
import io.vigil.delivery.WebhookReceiver;
import io.vigil.model.DurationSyntax;
import io.vigil.model.KeySuggestion;
import io.vigil.rules.SeriesSelector;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Types and checks the {@code receivers:} of the configuration (cli.md). Every error names its key, e.g.
 * {@code receivers[1].webhook.url}, and one error reports every problem of every receiver; secrets are read from the
 * environment or files and never appear in a message.
 */
final class ReceiverConfig {

    private static final Set<String> RECEIVER_KEYS = Set.of("name", "match", "webhook", "alertmanager");
    private static final Set<String> ALERTMANAGER_KEYS = Set.of("url", "resend_interval");
    /** A thread each: more than a receiver would take at once from one sender. */
    private static final int MAX_IN_FLIGHT = 64;
    private static final Set<String> WEBHOOK_KEYS = Set.of("url", "send_resolved", "bearer_token_file",
            "bearer_token_env", "hmac_secret_env", "hmac_secret_file", "timeout", "max_in_flight", "min_backoff",
            "max_backoff");
    /**
     * The longest request timeout: a receiver that takes longer is down, and a send holds one of max_in_flight slots
     * for as long as it waits.
     */
    private static final Duration LONGEST_TIMEOUT = Duration.ofMinutes(10);
    /**
     * The resend interval's bounds. Alertmanager keeps an alert {@code 4 x resend_interval} after the last push: below
     * a second the pushes are a flood; above an hour an alert outlives a dead Vigil by hours.
     */
    private static final Duration SHORTEST_RESEND = Duration.ofSeconds(1);
    private static final Duration LONGEST_RESEND = Duration.ofHours(1);
    /**
     * The backoff's bounds. Below 100ms a failing receiver gets several attempts per alert in its first second (the
     * burst a backoff is there to spare it); a first wait above 10m, or a longest above 1h, leaves a page that long
     * after the receiver is back (a Retry-After is bounded by max_backoff too).
     */
    private static final Duration SHORTEST_BACKOFF = Duration.ofMillis(100);
    private static final Duration LONGEST_MIN_BACKOFF = Duration.ofMinutes(10);
    private static final Duration LONGEST_MAX_BACKOFF = Duration.ofHours(1);

    /** A metric-style name, then the matchers: group 1 the name, group 2 what follows its '{'. */
    private static final java.util.regex.Pattern NAME_BEFORE_MATCHERS =
            java.util.regex.Pattern.compile("([A-Za-z_:][A-Za-z0-9_:]*)\\s*\\{(.*)", java.util.regex.Pattern.DOTALL);

    /** Alertmanager's API path at the end of a URL's path: group 1 is what comes before it, group 2 the API path. */
    private static final java.util.regex.Pattern ALERTMANAGER_API_PATH =
            java.util.regex.Pattern.compile("(.*?)(/api(?:/v[12](?:/alerts)?)?/*)",
                    java.util.regex.Pattern.CASE_INSENSITIVE);

    /** A URL's scheme and its {@code ://} (RFC 3986): group 1 is the scheme. */
    private static final java.util.regex.Pattern SCHEME =
            java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*)://");
    /**
     * A host (a name, which may wrongly hold '_', an IPv4 or a bracketed IPv6 address) and its port (group 1), then the
     * end or what starts a path, query or fragment: anything else (an '@' of credentials, a port that is no number) is
     * not one.
     */
    private static final java.util.regex.Pattern HOST_PORT =
            java.util.regex.Pattern.compile("(?:[A-Za-z0-9._~-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]*)?(?=[/?#]|\\z)");

    private ReceiverConfig() {
    }

    /** The receivers of a configuration, by kind. */
    record Receivers(List<WebhookReceiver> webhooks, List<AlertmanagerReceiver> alertmanagers) {
        boolean isEmpty() {
            return webhooks.isEmpty() && alertmanagers.isEmpty();
        }
    }

    /**
     * @throws ConfigException with every problem of every receiver, a line each, each starting with its key: each field
     *                         is checked on its own
     */
    static Receivers parse(final List<Object> raw, final Map<String, String> env) {
        final Reading reading = new Reading(env);
        for (int i = 0; i < raw.size(); i++) {
            reading.receiver(raw.get(i), "receivers[" + i + "]");
        }
        if (!reading.problems.isEmpty()) {
            throw new ConfigException(reading.problems);
        }
        return new Receivers(reading.webhooks, reading.alertmanagers);
    }

    /**
     * The receivers read so far, and the problems found. A receiver is made only while no problem is found anywhere
     * (with one, every receiver is thrown away with the error), so that none is made of a value that was refused.
     */
    private static final class Reading {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();
        private final List<WebhookReceiver> webhooks = new ArrayList<>();
        private final List<AlertmanagerReceiver> alertmanagers = new ArrayList<>();
        /** The valid names so far: a name is another's too only when both are valid. */
        private final Set<String> names = new HashSet<>();

        Reading(final Map<String, String> env) {
            this.env = env;
        }

        void receiver(final Object raw, final String at) {
            final Map<String, Object> r = read(() -> map(raw, at));
            if (r == null) {
                return;
            }
            // A key mistyped (nme, webhok: reported here with the key meant) is not also reported missing.
            final Set<String> meant = unknownKeys(r, RECEIVER_KEYS, at);
            final String name = meant.contains("name") ? null : read(() -> name(r, at));
            final Optional<SeriesSelector> match =
                    read(() -> text(r, "match", at).map(m -> matchers(m, at + ".match")));
            if (r.containsKey("alertmanager") == r.containsKey("webhook")) {
                if (!meant.contains("webhook") && !meant.contains("alertmanager")) {
                    problems.add(at + ": needs exactly one of webhook or alertmanager");
                }
            } else if (r.containsKey("alertmanager")) {
                alertmanager(r.get("alertmanager"), at + ".alertmanager", name, match);
            } else {
                webhook(r.get("webhook"), at + ".webhook", name, match);
            }
        }

        private String name(final Map<String, Object> r, final String at) {
            final String name = text(r, "name", at)
                    .orElseThrow(() -> new ConfigException(at + ".name: every receiver needs a name"));
            if (!name.matches("[A-Za-z0-9_.-]+")) {
                throw new ConfigException(at + ".name: '" + name + "' may use only letters, digits, '_', '.' and '-'");
            }
            if (!names.add(name)) {
                throw new ConfigException(at + ".name: '" + name + "' is the name of another receiver too");
            }
            return name;
        }

        private void alertmanager(final Object raw, final String a, final String name,
                                  final Optional<SeriesSelector> match) {
            final Map<String, Object> am = read(() -> map(raw, a));
            if (am == null) {
                return;
            }
            unknownKeys(am, ALERTMANAGER_KEYS, a);
            final Duration resend = read(() -> text(am, "resend_interval", a)
                    .map(v -> duration(v, SHORTEST_RESEND, LONGEST_RESEND, a + ".resend_interval"))
                    .orElse(Duration.ofMinutes(1)));
            final URI url = read(() -> alertmanagerBase(httpUrl(am, a, ""), a));
            if (problems.isEmpty()) {
                alertmanagers.add(new AlertmanagerReceiver(name, url, match, resend));
            }
        }

        private void webhook(final Object raw, final String w, final String name,
                             final Optional<SeriesSelector> match) {
            final Map<String, Object> webhook = read(() -> map(raw, w));
            if (webhook == null) {
                return;
            }
            unknownKeys(webhook, WEBHOOK_KEYS, w);
            final URI uri = read(() -> httpUrl(webhook, w, "; use bearer_token_file or bearer_token_env"));
            final Boolean sendResolved = read(() -> text(webhook, "send_resolved", w)
                    .map(v -> ConfigLoader.bool(v, w + ".send_resolved")).orElse(true));
            // 1ms at least: the JDK's HttpClient refuses a zero timeout at each request, which ended delivery.
            final Duration timeout = read(() -> text(webhook, "timeout", w)
                    .map(v -> duration(v, Duration.ofMillis(1), LONGEST_TIMEOUT, w + ".timeout"))
                    .orElse(Duration.ofSeconds(5)));
            final Integer maxInFlight = read(() -> text(webhook, "max_in_flight", w)
                    .map(v -> maxInFlight(v, w + ".max_in_flight")).orElse(WebhookReceiver.DEFAULT_MAX_IN_FLIGHT));
            final RetryPolicy retry = retry(webhook, w);
            final Optional<WebhookReceiver.Secret> bearer = read(() -> secret(webhook, "bearer_token_env",
                    "bearer_token_file", w, env));
            final Optional<WebhookReceiver.Secret> hmac = read(() -> secret(webhook, "hmac_secret_env",
                    "hmac_secret_file", w, env));
            if (problems.isEmpty()) {
                webhooks.add(new WebhookReceiver(name, uri, match, sendResolved, bearer, hmac, timeout, maxInFlight,
                        retry));
            }
        }

        /**
         * A webhook's {@code min_backoff} and {@code max_backoff}, each defaulting to {@link RetryPolicy#DEFAULT}'s, or
         * null with the problems collected. A max_backoff below min_backoff is said at the key written (max_backoff
         * when both are), naming the other's value: which of the two to change is the operator's choice.
         */
        private RetryPolicy retry(final Map<String, Object> webhook, final String w) {
            final Optional<String> minText = read(() -> text(webhook, "min_backoff", w));
            final Optional<String> maxText = read(() -> text(webhook, "max_backoff", w));
            final Optional<Duration> min = minText == null ? null : read(() -> minText
                    .map(v -> duration(v, SHORTEST_BACKOFF, LONGEST_MIN_BACKOFF, w + ".min_backoff")));
            final Optional<Duration> max = maxText == null ? null : read(() -> maxText
                    .map(v -> duration(v, SHORTEST_BACKOFF, LONGEST_MAX_BACKOFF, w + ".max_backoff")));
            if (min == null || max == null) {
                return null;
            }
            final Duration first = min.orElse(RetryPolicy.DEFAULT.initial());
            final Duration longest = max.orElse(RetryPolicy.DEFAULT.max());
            if (longest.compareTo(first) < 0) {
                problems.add(max.isPresent()
                        ? w + ".max_backoff: '" + maxText.get() + "' is shorter than min_backoff ("
                                + minText.map(v -> "'" + v + "'").orElse("the default " + DurationSyntax.format(first))
                                + "); max_backoff bounds every wait"
                        : w + ".min_backoff: '" + minText.get() + "' is longer than max_backoff (the default "
                                + DurationSyntax.format(longest) + "); set max_backoff too");
                return null;
            }
            return new RetryPolicy(first, longest);
        }

        /**
         * Every key of {@code m} that is not one of {@code known}, each a problem naming the known key most likely
         * meant; those keys.
         */
        private Set<String> unknownKeys(final Map<String, Object> m, final Set<String> known, final String at) {
            final Set<String> meant = new HashSet<>();
            for (String key : m.keySet()) {
                if (!known.contains(key)) {
                    final Optional<String> best = KeySuggestion.closest(key, List.copyOf(known));
                    problems.add(at + "." + key + ": unknown key"
                            + best.map(b -> "; did you mean '" + b + "'?").orElse(""));
                    best.ifPresent(meant::add);
                }
            }
            return meant;
        }

        /** What {@code check} reads, or null when it fails: its problem is then collected. */
        private <T> T read(final java.util.function.Supplier<T> check) {
            try {
                return check.get();
            } catch (ConfigException e) {
                problems.add(e.getMessage());
                return null;
            }
        }
    }

    /** {@code text} as a duration from {@code least} to {@code most}, or a ConfigException naming {@code at}. */
    private static Duration duration(final String text, final Duration least, final Duration most, final String at) {
        final Duration d = DurationSyntax.parse(text)
                .orElseThrow(() -> new ConfigException(at + ": '" + text + "' is not a duration like 5s or 2m"));
        if (d.compareTo(least) < 0 || d.compareTo(most) > 0) {
            throw new ConfigException(at + ": '" + text + "' must be from " + DurationSyntax.format(least) + " to "
                    + DurationSyntax.format(most));
        }
        return d;
    }

    private static int maxInFlight(final String text, final String at) {
        try {
            final int n = Integer.parseInt(text.trim());
            if (n >= 1 && n <= MAX_IN_FLIGHT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new ConfigException(at + ": '" + text + "' is not a whole number from 1 to " + MAX_IN_FLIGHT);
    }

    /**
     * A receiver's URL, checked. Messages show it as the start-up line does ({@link #shown(String)}): never its path,
     * query, fragment or credentials, which hold the secret of many webhooks (Slack, Teams, PagerDuty-style URLs).
     *
     * @param credentialsHint what to use instead of credentials in the URL, after "; ", or ""
     */
    private static URI httpUrl(final Map<String, Object> m, final String at, final String credentialsHint) {
        final String given = text(m, "url", at).orElseThrow(() -> new ConfigException(at + ".url: a url is needed"));
        final String shown = shown(given);
        final String named = shown.isEmpty() ? "the value" : "'" + shown + "'";
        final java.util.regex.Matcher schemed = SCHEME.matcher(given);
        if (!schemed.lookingAt()) {
            throw new ConfigException(at + ".url: " + named + " is not an http(s) URL like http://host:9000/path"
                    + " (http:// or https:// is needed)");
        }
        URI parsed;
        String invalid = null;
        try {
            parsed = new URI(given);
        } catch (URISyntaxException e) {
            parsed = null;
            invalid = e.getReason().toLowerCase(java.util.Locale.ROOT) + " (character " + (e.getIndex() + 1) + ")";
        }
        // The HttpClient sends no Authorization for them (the receiver would answer 401, sending every alert to the
        // dead-letter topic). An '@' in a URL that has no host otherwise is taken for them too: a password holding an
        // unencoded '/', '?' or '#' ends the authority early.
        if (parsed != null && parsed.getRawUserInfo() != null
                || (parsed == null || parsed.getHost() == null) && given.substring(schemed.end()).contains("@")) {
            throw new ConfigException(at + ".url: credentials in the URL (user:password@) are not sent" + credentialsHint);
        }
        final String scheme = schemed.group(1).toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ConfigException(at + ".url: " + named + " is not an http(s) URL: scheme '" + schemed.group(1)
                    + "' is not http or https");
        }
        if (parsed == null) {
            throw new ConfigException(at + ".url: " + named + " is not a valid URL: " + invalid);
        }
        // Schemes are case-insensitive (RFC 3986): HTTP://host is taken, and written the way the HttpClient expects.
        final URI uri = URI.create(scheme + given.substring(parsed.getScheme().length()));
        if (uri.getHost() == null) {
            throw new ConfigException(at + ".url: " + ConfigLoader.noHost(uri, named, "http://pager-bridge:9000/path"));
        }
        // URI takes any number as a port; the HttpClient refuses one out of range at each request, which ended delivery.
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new ConfigException(at + ".url: port " + uri.getPort() + " is not a port from 1 to 65535");
        }
        return uri;
    }

    /**
     * {@code url}, refused if it ends with Alertmanager's API path ({@code /api/v2/alerts}, {@code /api/v1/alerts},
     * {@code /api/v2}, {@code /api}): the push adds {@code /api/v2/alerts} to it, so every push would go to
     * {@code /api/v2/alerts/api/v2/alerts} and be refused, logged at each attempt. A path before it, an
     * Alertmanager behind a prefix such as {@code http://host/alertmanager}, is its base URL and stays. A query or a
     * fragment is refused too: the API path would be added after it, and every push would go to the base path.
     * Messages show the URL as the start-up line does: never its path, query or fragment.
     */
    private static URI alertmanagerBase(final URI url, final String at) {
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            final String part = url.getRawQuery() != null ? "query ('?')" : "fragment ('#')";
            throw new ConfigException(at + ".url: '" + shown(url) + "' has a " + part + ", which Alertmanager's base"
                    + " URL cannot have (Vigil pushes to URL/api/v2/alerts); give the base URL, without the "
                    + (url.getRawQuery() != null ? "query" : "fragment"));
        }
        final java.util.regex.Matcher api =
                ALERTMANAGER_API_PATH.matcher(url.getRawPath() == null ? "" : url.getRawPath());
        if (api.matches()) {
            // The API path matched is only 'api', 'v1' or 'v2', 'alerts' and '/': no secret.
            throw new ConfigException(at + ".url: '" + shown(url) + "' ends with Alertmanager's API path ('"
                    + api.group(2) + "'), which Vigil adds (it pushes to URL/api/v2/alerts); give the base URL,"
                    + " without '" + api.group(2) + "'");
        }
        return url;
    }

    /**
     * How the start-up line shows a receiver's URL: {@code scheme://host[:port]}, then {@code /...} when it has a path, a
     * query or a fragment. Slack, Teams and PagerDuty-style URLs hold their secret in the path or query, and Alertmanager
     * treats webhook URLs as secrets; the host and port are what tell receivers apart.
     */
    static String shown(final URI url) {
        return shown(url.toString());
    }

    /**
     * {@code url} as {@link #shown(URI)} shows it, for any text, a URL or not: {@code scheme://host[:port]}, then
     * {@code /...} when anything but a lone {@code /} follows. Only what is recognisably a scheme, a host and a port is
     * shown: {@code scheme://...} when no host is (credentials, or an authority that is not one), {@code host:port}
     * or {@code host:port/...} without a scheme, and else nothing (""). Never a path, a query, a fragment or a
     * user and password.
     */
    static String shown(final String url) {
        final java.util.regex.Matcher schemed = SCHEME.matcher(url);
        final String scheme = schemed.lookingAt() ? schemed.group(1) + "://" : "";
        final String rest = url.substring(schemed.lookingAt() ? schemed.end() : 0);
        final java.util.regex.Matcher host = HOST_PORT.matcher(rest);
        if (!host.lookingAt()) {
            return scheme.isEmpty() ? "" : scheme + "...";
        }
        // Without a scheme, a lone word may be anything, a token pasted in the wrong place too: only host:port is shown.
        if (scheme.isEmpty() && (host.group(1) == null || host.group(1).length() < 2)) {
            return "";
        }
        final String after = rest.substring(host.end());
        return scheme + host.group() + (after.isEmpty() || after.equals("/") ? after : "/...");
    }

    private static Optional<WebhookReceiver.Secret> secret(final Map<String, Object> m, final String envKey,
                                                           final String fileKey, final String at,
                                                           final Map<String, String> env) {
        final Optional<String> variable = text(m, envKey, at);
        final Optional<String> file = text(m, fileKey, at);
        if (variable.isPresent() && file.isPresent()) {
            throw new ConfigException(at + ": give " + envKey + " or " + fileKey + ", not both");
        }
        if (variable.isPresent()) {
            final String value = env.get(variable.get());
            if (value == null || value.isBlank()) {
                throw new ConfigException(at + "." + envKey + ": the environment variable " + variable.get() + " is not set");
            }
            return Optional.of(secretValue(value, at + "." + envKey, "the environment variable " + variable.get()));
        }
        if (file.isPresent()) {
            final String value;
            try {
                value = Files.readString(Path.of(file.get()));
            } catch (IOException e) {
                throw new ConfigException(at + "." + fileKey + ": cannot read " + file.get());
            }
            if (value.isBlank()) {
                throw new ConfigException(at + "." + fileKey + ": " + file.get() + " is empty");
            }
            return Optional.of(secretValue(value, at + "." + fileKey, file.get()));
        }
        return Optional.empty();
    }

    /**
     * A secret without the whitespace around it (files written by {@code echo}, and Kubernetes secrets made from them,
     * end with a newline), refused if a control character is left: it would make an invalid header (or sign with a
     * key the receiver does not have) at every request. The message never holds the value.
     */
    private static WebhookReceiver.Secret secretValue(final String raw, final String at, final String from) {
        final String value = raw.strip();
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new ConfigException(at + ": " + from + " holds a control character (a line break?) inside the"
                    + " secret; it must be one line");
        }
        return new WebhookReceiver.Secret(value);
    }

    private static SeriesSelector matchers(final String text, final String at) {
        final java.util.regex.Matcher named = NAME_BEFORE_MATCHERS.matcher(text.strip());
        // The selector would take it as a metric name, which alerts do not have: it was ignored, and the receiver got
        // every alert the labels matched. An alert's name is its alertname label.
        if (named.matches()) {
            final String rest = named.group(2).strip();
            throw new ConfigException(at + ": '" + text + "' has a name before '{', which alerts do not have; write {alertname=\""
                    + named.group(1) + "\"" + (rest.equals("}") ? "}" : ", " + rest) + " to match the alert's name");
        }
        try {
            // The selector syntax wants a metric name; alerts have none to match, only labels.
            return SeriesSelector.parse("alert" + text.strip());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(at + ": '" + text + "' is not a list of label matchers like {severity=\"page\"}: "
                    + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(final Object value, final String at) {
        if (!(value instanceof Map)) {
            throw new ConfigException(at + ": must be a mapping");
        }
        return (Map<String, Object>) value;
    }

    private static Optional<String> text(final Map<String, Object> m, final String key, final String at) {
        final Object v = m.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof List) {
            throw new ConfigException(at + "." + key + ": must be a single value");
        }
        return Optional.of(v.toString());
    }
}
