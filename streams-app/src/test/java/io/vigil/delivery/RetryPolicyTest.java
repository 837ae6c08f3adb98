package io.vigil.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** How long delivery waits before a retry. */
class RetryPolicyTest {

    private final RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60));

    @RepeatedTest(20)
    void aRetryAfterOfZeroDoesNotShortenTheBackoff() {
        // Attempt 3: a ceiling of 4 s, so at least 2 s whatever the jitter.
        assertThat(policy.wait(3, Optional.of(Duration.ZERO))).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void aLongerRetryAfterWinsUpToTheBound() {
        assertThat(policy.wait(1, Optional.of(Duration.ofSeconds(7)))).isEqualTo(Duration.ofSeconds(7));
        assertThat(policy.wait(1, Optional.of(Duration.ofHours(1)))).isEqualTo(Duration.ofSeconds(60));
        // The bound is the receiver's max_backoff, whatever it is.
        assertThat(new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(10)).wait(1,
                Optional.of(Duration.ofHours(1)))).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aBackoffWithoutAFirstWaitOrWithALongestBelowItIsNoBackoff() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

}
