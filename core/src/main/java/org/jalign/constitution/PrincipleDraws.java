package org.jalign.constitution;

import java.util.SplittableRandom;

/**
 * Which principles a prompt or a pair gets: a pure function of (seed, where), so a draw never
 * depends on batching, on which prompts were done before a resume, or on the order of work.
 * Bai et al. 2022 (§3.1) draw one principle at random for each critique-revision step; RLAIF
 * judges (§4.1) sample principles per comparison and average.
 */
public final class PrincipleDraws {
    private static final long PROMPT_STREAM = 0x9E3779B97F4A7C15L;
    private static final long PAIR_STREAM = 0xC2B2AE3D27D4EB4FL;

    private PrincipleDraws() {
    }

    /**
     * The principle index for each of {@code rounds} critique-revision rounds of prompt
     * {@code promptIndex}: independent uniform draws from {@code [0, principleCount)} (a principle
     * may repeat, as in the paper).
     */
    public static int[] forRevision(long seed, int promptIndex, int rounds, int principleCount) {
        check(principleCount);
        SplittableRandom random = generator(seed, PROMPT_STREAM, promptIndex, 0);
        int[] draws = new int[rounds];
        for (int r = 0; r < rounds; r++) {
            draws[r] = random.nextInt(principleCount);
        }
        return draws;
    }

    /**
     * {@code count} distinct principle indices for the pair (first, second) of item
     * {@code itemIndex}: the first {@code count} of a seeded Fisher–Yates shuffle of
     * {@code [0, principleCount)}. The draw does not depend on the order the two are named in, so
     * both orders of a pair are judged under the same principles.
     */
    public static int[] forPair(long seed, int itemIndex, int first, int second, int count, int principleCount) {
        check(principleCount);
        if (count < 1 || count > principleCount) {
            throw new IllegalArgumentException("principles per pair must be in [1, " + principleCount
                    + "] (the constitution's size), got " + count);
        }
        int low = Math.min(first, second);
        int high = Math.max(first, second);
        SplittableRandom random = generator(seed, PAIR_STREAM, itemIndex, ((long) low << 32) | high);
        int[] order = new int[principleCount];
        for (int i = 0; i < principleCount; i++) {
            order[i] = i;
        }
        for (int i = 0; i < count; i++) {
            int j = i + random.nextInt(principleCount - i);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return java.util.Arrays.copyOf(order, count);
    }

    private static void check(int principleCount) {
        if (principleCount < 1) {
            throw new IllegalArgumentException("a constitution needs at least one principle");
        }
    }

    private static SplittableRandom generator(long seed, long stream, long index, long extra) {
        long mixed = new SplittableRandom(seed ^ stream).nextLong() ^ (index * PROMPT_STREAM);
        mixed = new SplittableRandom(mixed).nextLong() ^ (extra * PAIR_STREAM);
        return new SplittableRandom(mixed);
    }
}
