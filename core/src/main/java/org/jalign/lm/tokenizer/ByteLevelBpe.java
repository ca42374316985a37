package org.jalign.lm.tokenizer;

import org.jalign.lm.TextTokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A trained byte-level BPE tokenizer: the vocabulary (ids 0–3 the special tokens, 4–259 the 256
 * byte symbols in byte order, then one token per merge), the merges in the order they were learned,
 * and whether text is lower-cased first.
 *
 * <p>{@link #encode} is the pipeline that {@code tokenizer.json} describes, step for step, so tests
 * can hold it to the Rust library's ids:
 * <ol>
 *   <li>cut out special tokens, matched on the raw text (they are added tokens with
 *       {@code normalized: false});</li>
 *   <li>lower-case each remaining segment if asked ({@code Lowercase} normalizer);</li>
 *   <li>split it with GPT-2's regex and spell each piece's bytes in the byte alphabet
 *       ({@code ByteLevel} pre-tokenizer);</li>
 *   <li>in each piece, merge the adjacent pair whose merge was learned first, until no learned
 *       pair is left (the {@code BPE} model).</li>
 * </ol>
 */
public final class ByteLevelBpe implements TextTokenizer {

    /** The special tokens, at ids 0, 1, 2, 3. */
    public static final List<String> SPECIAL_TOKENS = List.of("<pad>", "<bos>", "<eos>", "<unk>");
    public static final int PAD_ID = 0;
    public static final int BOS_ID = 1;
    public static final int EOS_ID = 2;
    public static final int UNK_ID = 3;
    /** Byte b is token {@code FIRST_BYTE_ID + b}. */
    public static final int FIRST_BYTE_ID = 4; // SPECIAL_TOKENS.size(), as a compile-time constant
    /** The smallest vocabulary: the special tokens and the 256 bytes, no merges. */
    public static final int MIN_VOCAB_SIZE = FIRST_BYTE_ID + 256;

    /** One learned merge: two adjacent tokens (in the byte alphabet) become {@code left + right}. */
    public record Merge(String left, String right) {
        public String result() {
            return left + right;
        }
    }

    private final List<String> vocabulary;
    private final List<Merge> merges;
    private final boolean lowercase;
    private final Map<String, Integer> ids = new HashMap<>();
    /** (left id, right id) → (rank &lt;&lt; 32) | merged id. */
    private final Map<Long, Long> mergeTable = new HashMap<>();
    private final Map<String, int[]> pieceCache = new ConcurrentHashMap<>();

    /**
     * @param vocabulary every token by id: {@link #SPECIAL_TOKENS}, the 256 byte symbols, then the
     *                   merged tokens; no token twice
     * @param merges     in the order learned; both sides and the result must be in the vocabulary
     */
    public ByteLevelBpe(List<String> vocabulary, List<Merge> merges, boolean lowercase) {
        this.vocabulary = List.copyOf(vocabulary);
        this.merges = List.copyOf(merges);
        this.lowercase = lowercase;
        if (this.vocabulary.size() < MIN_VOCAB_SIZE) {
            throw new IllegalArgumentException("vocabulary has " + vocabulary.size() + " tokens, expected at least "
                    + MIN_VOCAB_SIZE + " (4 special tokens + 256 bytes)");
        }
        for (int id = 0; id < this.vocabulary.size(); id++) {
            String token = this.vocabulary.get(id);
            String expected = id < FIRST_BYTE_ID ? SPECIAL_TOKENS.get(id)
                    : id < MIN_VOCAB_SIZE ? String.valueOf(ByteLevel.symbol(id - FIRST_BYTE_ID)) : null;
            if (expected != null && !expected.equals(token)) {
                throw new IllegalArgumentException("token " + id + " is \"" + token + "\", expected \"" + expected + "\"");
            }
            if (ids.put(token, id) != null) {
                throw new IllegalArgumentException("token \"" + token + "\" appears twice in the vocabulary");
            }
        }
        for (int rank = 0; rank < this.merges.size(); rank++) {
            Merge merge = this.merges.get(rank);
            int left = requireId(merge.left(), rank);
            int right = requireId(merge.right(), rank);
            int result = requireId(merge.result(), rank);
            if (mergeTable.putIfAbsent(pair(left, right), ((long) rank << 32) | result) != null) {
                throw new IllegalArgumentException("merge " + rank + " (" + merge + ") was already learned");
            }
        }
    }

    private int requireId(String token, int rank) {
        Integer id = ids.get(token);
        if (id == null) {
            throw new IllegalArgumentException("merge " + rank + " uses \"" + token + "\", which is not in the vocabulary");
        }
        return id;
    }

    static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    public List<String> vocabulary() {
        return vocabulary;
    }

    public List<Merge> merges() {
        return merges;
    }

    public boolean lowercase() {
        return lowercase;
    }

    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public int[] encode(String text) {
        List<int[]> parts = new ArrayList<>();
        int from = 0;
        while (true) {
            // 1. The next special token.
            int[] special = nextSpecial(text, from);
            String segment = text.substring(from, special == null ? text.length() : special[0]);
            // 2.-4. Normalize, pre-tokenize, merge.
            for (String piece : ByteLevel.split(lowercase ? ByteLevel.lowercase(segment) : segment)) {
                parts.add(pieceCache.computeIfAbsent(piece, p -> mergePiece(ByteLevel.encode(p))));
            }
            if (special == null) {
                break;
            }
            parts.add(new int[] {special[1]});
            from = special[0] + SPECIAL_TOKENS.get(special[1]).length();
        }
        int length = 0;
        for (int[] part : parts) {
            length += part.length;
        }
        int[] out = new int[length];
        int n = 0;
        for (int[] part : parts) {
            System.arraycopy(part, 0, out, n, part.length);
            n += part.length;
        }
        return out;
    }

    /**
     * {@code {index, id}} of the first special token in {@code text} at or after {@code from} (the
     * longest where two start together, as the Rust library's leftmost-longest match), or null.
     */
    static int[] nextSpecial(String text, int from) {
        int[] best = null;
        for (int id = 0; id < SPECIAL_TOKENS.size(); id++) {
            int at = text.indexOf(SPECIAL_TOKENS.get(id), from);
            if (at >= 0 && (best == null || at < best[0]
                    || (at == best[0] && SPECIAL_TOKENS.get(id).length() > SPECIAL_TOKENS.get(best[1]).length()))) {
                best = new int[] {at, id};
            }
        }
        return best;
    }

    /** The text between special tokens, in order (empty stretches left out): what training sees. */
    static List<String> textSegments(String text) {
        List<String> segments = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int[] special = nextSpecial(text, from);
            int end = special == null ? text.length() : special[0];
            if (end > from) {
                segments.add(text.substring(from, end));
            }
            from = special == null ? text.length() : special[0] + SPECIAL_TOKENS.get(special[1]).length();
        }
        return segments;
    }

    /**
     * Step 4 on one piece spelled in the byte alphabet: repeatedly merge every occurrence (left to
     * right) of the adjacent pair with the lowest rank. Equivalent to the Rust model's priority
     * queue, since a merge's result only ever takes part in merges of higher rank.
     */
    int[] mergePiece(String symbols) {
        int[] word = new int[symbols.length()];
        for (int i = 0; i < word.length; i++) {
            word[i] = FIRST_BYTE_ID + ByteLevel.byteOf(symbols.charAt(i));
        }
        int length = word.length;
        while (length > 1) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i + 1 < length; i++) {
                Long merge = mergeTable.get(pair(word[i], word[i + 1]));
                if (merge != null && merge < best) {
                    best = merge;
                }
            }
            if (best == Long.MAX_VALUE) {
                break;
            }
            int rank = (int) (best >>> 32);
            Merge merge = merges.get(rank);
            int left = ids.get(merge.left());
            int right = ids.get(merge.right());
            int merged = (int) best;
            int out = 0;
            for (int i = 0; i < length; i++) {
                if (i + 1 < length && word[i] == left && word[i + 1] == right) {
                    word[out++] = merged;
                    i++;
                } else {
                    word[out++] = word[i];
                }
            }
            length = out;
        }
        return java.util.Arrays.copyOf(word, length);
    }

    @Override
    public String decode(int[] tokenIds, boolean skipSpecialTokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : tokenIds) {
            if (id < 0 || id >= vocabulary.size()) {
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + vocabulary.size() + ")");
            }
            if (id < FIRST_BYTE_ID && skipSpecialTokens) {
                continue;
            }
            ByteLevel.appendBytes(vocabulary.get(id), bytes);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
