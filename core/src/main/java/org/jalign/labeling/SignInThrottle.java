package org.jalign.labeling;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A sliding-window rate limit on sign-in attempts, per client address: at most {@code limit}
 * attempts in any {@code window}. Invite tokens carry 256 bits, so guessing is hopeless anyway;
 * the limit keeps a script from hammering the database and makes abuse visible (429s).
 */
final class SignInThrottle {
    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Deque<Long>> attempts = new HashMap<>();

    SignInThrottle(int limit, Duration window, Clock clock) {
        if (limit < 1) {
            throw new IllegalArgumentException("sign-in limit must be at least 1, got " + limit);
        }
        this.limit = limit;
        this.window = window;
        this.clock = clock;
    }

    /**
     * Counts an attempt from {@code client}: returns 0 when it may go ahead, else how many
     * seconds until it may try again (the attempt is not counted then).
     */
    synchronized long tryAcquire(String client) {
        long now = clock.millis();
        long windowStart = now - window.toMillis();
        if (attempts.size() > 10_000) { // forget clients whose window has passed
            for (Iterator<Deque<Long>> it = attempts.values().iterator(); it.hasNext(); ) {
                Deque<Long> times = it.next();
                if (times.isEmpty() || times.peekLast() <= windowStart) {
                    it.remove();
                }
            }
        }
        Deque<Long> times = attempts.computeIfAbsent(client, c -> new ArrayDeque<>());
        while (!times.isEmpty() && times.peekFirst() <= windowStart) {
            times.pollFirst();
        }
        if (times.size() >= limit) {
            long retryMillis = times.peekFirst() + window.toMillis() - now;
            return Math.max(1, (retryMillis + 999) / 1000);
        }
        times.addLast(now);
        return 0;
    }

    /** How many addresses are remembered (for tests of the sweep). */
    synchronized int trackedClients() {
        return attempts.size();
    }
}
