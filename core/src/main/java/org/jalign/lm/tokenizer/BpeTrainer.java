package org.jalign.lm.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Learns byte-level BPE merges from a corpus (Sennrich et al. 2016, "Neural Machine Translation of
 * Rare Words with Subword Units", on GPT-2's byte alphabet). Pure and deterministic: the same text
 * and config always give the same vocabulary and merges.
 *
 * <p>Steps: 1 cut the corpus exactly as {@link ByteLevelBpe#encode} will (special tokens out,
 * optional lower-casing, GPT-2's regex) and count each distinct piece; 2 spell pieces as byte ids
 * and count every adjacent pair, weighted by the piece's count; 3 repeatedly merge the most
 * frequent pair until the vocabulary has {@code vocabSize} tokens, no pair is left, or the best
 * pair occurs fewer than {@code minFrequency} times.
 *
 * <p>Ties go to the pair whose left token's bytes are smallest (unsigned, lexicographic), then the
 * right token's. Pair counts are kept up to date incrementally (only the pieces that hold the merged
 * pair are touched) and the best pair comes from a priority queue whose stale entries are
 * re-queued with their current count when they surface, as in the Rust library's trainer.
 */
public final class BpeTrainer {

    /**
     * @param vocabSize    tokens in all, the 4 special tokens and 256 bytes included
     * @param minFrequency a pair seen fewer times is never merged (2, as in Hugging Face's
     *                     {@code ByteLevelBPETokenizer.train}: merging a pair seen once only memorizes)
     * @param lowercase    lower-case text before splitting (written as a {@code Lowercase} normalizer)
     */
    public record Config(int vocabSize, int minFrequency, boolean lowercase) {
        public static final int DEFAULT_MIN_FREQUENCY = 2;

        public Config {
            if (vocabSize < ByteLevelBpe.MIN_VOCAB_SIZE) {
                throw new IllegalArgumentException("vocab size must be at least " + ByteLevelBpe.MIN_VOCAB_SIZE
                        + " (4 special tokens + 256 bytes), got " + vocabSize);
            }
            if (minFrequency < 1) {
                throw new IllegalArgumentException("min frequency must be at least 1, got " + minFrequency);
            }
        }

        public static Config of(int vocabSize) {
            return new Config(vocabSize, DEFAULT_MIN_FREQUENCY, false);
        }
    }

    private BpeTrainer() {
    }

    /** As {@link #train(String, Config, IntConsumer)} without progress. */
    public static ByteLevelBpe train(String corpus, Config config) {
        return train(corpus, config, merges -> { });
    }

    /**
     * @param onMerge called with the number of merges learned so far after each one (at most
     *                {@code vocabSize - 260} calls)
     * @throws IllegalArgumentException if the corpus holds no text outside special tokens
     */
    public static ByteLevelBpe train(String corpus, Config config, IntConsumer onMerge) {
        // 1. Distinct pieces and their counts, cut as the encoder cuts.
        Map<String, Long> pieceCounts = new HashMap<>();
        for (String segment : ByteLevelBpe.textSegments(corpus)) {
            for (String piece : ByteLevel.split(config.lowercase() ? ByteLevel.lowercase(segment) : segment)) {
                pieceCounts.merge(piece, 1L, Long::sum);
            }
        }
        if (pieceCounts.isEmpty()) {
            throw new IllegalArgumentException("the corpus has no text to train on"
                    + (corpus.isEmpty() ? "" : " (only special tokens)"));
        }

        // 2. Pieces as byte ids, sorted so that every later step is independent of hash order.
        List<String> pieces = new ArrayList<>(pieceCounts.keySet());
        pieces.sort(Comparator.naturalOrder());
        int[][] words = new int[pieces.size()][];
        long[] counts = new long[pieces.size()];
        for (int w = 0; w < words.length; w++) {
            byte[] bytes = pieces.get(w).getBytes(StandardCharsets.UTF_8);
            words[w] = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                words[w][i] = ByteLevelBpe.FIRST_BYTE_ID + (bytes[i] & 0xFF);
            }
            counts[w] = pieceCounts.get(pieces.get(w));
        }

        List<String> vocabulary = new ArrayList<>(ByteLevelBpe.SPECIAL_TOKENS);
        List<byte[]> tokenBytes = new ArrayList<>();
        for (String s : ByteLevelBpe.SPECIAL_TOKENS) {
            tokenBytes.add(s.getBytes(StandardCharsets.UTF_8));
        }
        for (int b = 0; b < 256; b++) {
            vocabulary.add(String.valueOf(ByteLevel.symbol(b)));
            tokenBytes.add(new byte[] {(byte) b});
        }
        Map<String, Integer> ids = new HashMap<>();
        for (int id = 0; id < vocabulary.size(); id++) {
            ids.put(vocabulary.get(id), id);
        }

        Map<Long, Long> pairCounts = new HashMap<>();
        Map<Long, Set<Integer>> pairWords = new HashMap<>();
        for (int w = 0; w < words.length; w++) {
            for (int i = 0; i + 1 < words[w].length; i++) {
                long pair = ByteLevelBpe.pair(words[w][i], words[w][i + 1]);
                pairCounts.merge(pair, counts[w], Long::sum);
                pairWords.computeIfAbsent(pair, p -> new HashSet<>()).add(w);
            }
        }
        Comparator<long[]> byPriority = (x, y) -> {
            int c = Long.compare(y[1], x[1]); // more frequent first
            if (c != 0) {
                return c;
            }
            c = Arrays.compareUnsigned(tokenBytes.get(left(x[0])), tokenBytes.get(left(y[0])));
            return c != 0 ? c : Arrays.compareUnsigned(tokenBytes.get(right(x[0])), tokenBytes.get(right(y[0])));
        };
        PriorityQueue<long[]> queue = new PriorityQueue<>(byPriority); // entries {pair, count when queued}
        pairCounts.forEach((pair, count) -> queue.add(new long[] {pair, count}));

        // 3. Merge.
        List<ByteLevelBpe.Merge> merges = new ArrayList<>();
        Set<Long> learned = new HashSet<>();
        while (vocabulary.size() < config.vocabSize() && !queue.isEmpty()) {
            long[] top = queue.poll();
            long pair = top[0];
            long count = pairCounts.getOrDefault(pair, 0L);
            if (top[1] != count) { // stale: the pair's count changed since it was queued
                if (count > 0) {
                    queue.add(new long[] {pair, count});
                }
                continue;
            }
            if (!learned.add(pair)) {
                // Only after a repeated spelling (below) can a learned pair meet again; merging it twice
                // would be a duplicate merge, so those few occurrences stay as they are.
                continue;
            }
            if (count < config.minFrequency()) {
                break;
            }
            String left = vocabulary.get(left(pair));
            String right = vocabulary.get(right(pair));
            ByteLevelBpe.Merge merge = new ByteLevelBpe.Merge(left, right);
            // Two merges can spell the same token ("a"+"bc", "ab"+"c"): the second reuses its id, as in
            // the Rust trainer, and adds a merge but no token.
            Integer mergedId = ids.get(merge.result());
            if (mergedId == null) {
                mergedId = vocabulary.size();
                vocabulary.add(merge.result());
                tokenBytes.add(concat(tokenBytes.get(left(pair)), tokenBytes.get(right(pair))));
                ids.put(merge.result(), mergedId);
            }
            merges.add(merge);

            Map<Long, Long> delta = new HashMap<>();
            Set<Integer> holders = pairWords.getOrDefault(pair, Set.of());
            pairWords.remove(pair);
            for (int w : holders) {
                int[] merged = mergeAll(words[w], left(pair), right(pair), mergedId);
                if (merged.length == words[w].length) {
                    continue; // an earlier merge already took this piece's occurrences
                }
                for (int i = 0; i + 1 < words[w].length; i++) {
                    delta.merge(ByteLevelBpe.pair(words[w][i], words[w][i + 1]), -counts[w], Long::sum);
                }
                for (int i = 0; i + 1 < merged.length; i++) {
                    long p = ByteLevelBpe.pair(merged[i], merged[i + 1]);
                    delta.merge(p, counts[w], Long::sum);
                    pairWords.computeIfAbsent(p, k -> new HashSet<>()).add(w);
                }
                words[w] = merged;
            }
            delta.forEach((p, d) -> {
                long updated = pairCounts.getOrDefault(p, 0L) + d;
                if (updated > 0) {
                    pairCounts.put(p, updated);
                } else {
                    pairCounts.remove(p);
                }
                if (d > 0) { // a count that rose needs a fresh entry; one that fell is fixed when it surfaces
                    queue.add(new long[] {p, updated});
                }
            });
            onMerge.accept(merges.size());
        }
        return new ByteLevelBpe(vocabulary, merges, config.lowercase());
    }

    /** {@code word} with every occurrence of (left, right), left to right, replaced by {@code merged}. */
    static int[] mergeAll(int[] word, int left, int right, int merged) {
        int[] out = new int[word.length];
        int n = 0;
        for (int i = 0; i < word.length; i++) {
            if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
                out[n++] = merged;
                i++;
            } else {
                out[n++] = word[i];
            }
        }
        return n == word.length ? word : Arrays.copyOf(out, n);
    }

    private static int left(long pair) {
        return (int) (pair >>> 32);
    }

    private static int right(long pair) {
        return (int) pair;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
