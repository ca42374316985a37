package org.jalign.labeling;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SignInThrottleTest {

    /** A clock the test moves by hand. */
    private static final class ManualClock extends Clock {
        long millis = 1_000_000;

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @Test
    void allowsTheLimitPerWindowThenSaysHowLongToWait() {
        ManualClock clock = new ManualClock();
        SignInThrottle throttle = new SignInThrottle(3, Duration.ofMinutes(1), clock);
        assertThat(throttle.tryAcquire("10.0.0.1")).isZero();
        clock.millis += 10_000;
        assertThat(throttle.tryAcquire("10.0.0.1")).isZero();
        assertThat(throttle.tryAcquire("10.0.0.1")).isZero();
        // the 4th within a minute: the first attempt (t=0) leaves the window at t=60 s, now t=10 s
        assertThat(throttle.tryAcquire("10.0.0.1")).isEqualTo(50);
        assertThat(throttle.tryAcquire("10.0.0.2")).as("another address has its own window").isZero();
        clock.millis += 49_999; // t = 59.999 s: still inside
        assertThat(throttle.tryAcquire("10.0.0.1")).isEqualTo(1);
        clock.millis += 1; // t = 60 s: the first attempt has left the window, one slot is free
        assertThat(throttle.tryAcquire("10.0.0.1")).isZero();
        assertThat(throttle.tryAcquire("10.0.0.1")).as("refused attempts were not counted").isEqualTo(10);
    }

    @Test
    void forgetsOldClientsSoMemoryStaysBounded() {
        ManualClock clock = new ManualClock();
        SignInThrottle throttle = new SignInThrottle(1, Duration.ofSeconds(1), clock);
        for (int i = 0; i < 10_001; i++) {
            throttle.tryAcquire("client-" + i);
        }
        assertThat(throttle.trackedClients()).isEqualTo(10_001);
        clock.millis += 2_000;
        // past 10,000 remembered addresses the next attempt sweeps those whose window has passed
        assertThat(throttle.tryAcquire("client-0")).isZero();
        assertThat(throttle.trackedClients()).isEqualTo(1);
        assertThat(throttle.tryAcquire("client-0")).isEqualTo(1);
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> new SignInThrottle(0, Duration.ofMinutes(1), Clock.systemUTC()))
                .hasMessageContaining("at least 1");
    }
}
