package org.jalign.pretrain;

import org.jalign.lm.TextTokenizer;
import org.jalign.lm.train.TokenBatch;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A text corpus as one token stream for language-model training.
 *
 * <p>Documents are separated by blank lines; each becomes BOS + tokens + EOS (when the tokenizer
 * has them) and they are concatenated. The last {@code evalFraction} of the stream is held out.
 * The batch of step s is {@code rows} windows of {@code length} tokens at offsets drawn from a
 * generator seeded by (seed, s): a pure function of the step, so resumed runs see the same data.
 */
public final class PretrainingCorpus {
    private final int[] stream;
    private final int trainEnd;
    private final long documents;

    private PretrainingCorpus(int[] stream, int trainEnd, long documents) {
        this.stream = stream;
        this.trainEnd = trainEnd;
        this.documents = documents;
    }

    public static PretrainingCorpus read(Path file, TextTokenizer tokenizer, int bosId, int eosId, double evalFraction)
            throws IOException {
        if (!(evalFraction >= 0 && evalFraction < 1)) {
            throw new IllegalArgumentException("--eval-fraction must be in [0, 1), got " + evalFraction);
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("corpus " + file + " does not exist", e);
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not valid UTF-8 text", e);
        }
        List<int[]> encoded = new ArrayList<>();
        long total = 0;
        for (String document : text.split("\\R\\s*\\R")) {
            String d = document.strip();
            if (d.isEmpty()) {
                continue;
            }
            int[] ids = tokenizer.encode(d);
            int extra = (bosId >= 0 ? 1 : 0) + (eosId >= 0 ? 1 : 0);
            int[] wrapped = new int[ids.length + extra];
            int at = 0;
            if (bosId >= 0) {
                wrapped[at++] = bosId;
            }
            System.arraycopy(ids, 0, wrapped, at, ids.length);
            if (eosId >= 0) {
                wrapped[wrapped.length - 1] = eosId;
            }
            encoded.add(wrapped);
            total += wrapped.length;
        }
        if (encoded.isEmpty()) {
            throw new IOException("corpus " + file + " holds no text");
        }
        int[] stream = new int[Math.toIntExact(total)];
        int at = 0;
        for (int[] d : encoded) {
            System.arraycopy(d, 0, stream, at, d.length);
            at += d.length;
        }
        int trainEnd = (int) Math.round(stream.length * (1 - evalFraction));
        return new PretrainingCorpus(stream, trainEnd, encoded.size());
    }

    public long documents() {
        return documents;
    }

    public int tokens() {
        return stream.length;
    }

    /** The largest id in the stream (must be below the model's vocabulary size). */
    public int maxTokenId() {
        return Arrays.stream(stream).max().orElse(0);
    }

    /** The training windows of step {@code step}. */
    public TokenBatch batch(long step, long seed, int rows, int length) {
        int span = trainEnd - length;
        if (span < 0) {
            throw new IllegalArgumentException("the corpus' training part has " + trainEnd + " tokens, fewer than one "
                    + "window of --seq-len " + length + "; use a longer corpus or a shorter --seq-len");
        }
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
        List<int[]> windows = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            int start = random.nextInt(span + 1);
            windows.add(Arrays.copyOfRange(stream, start, start + length));
        }
        return TokenBatch.allTargets(windows);
    }

    /** The held-out part as consecutive windows (at most {@code maxRows}), or empty when none is held out. */
    public List<TokenBatch> evalBatches(int rows, int length, int maxRows) {
        List<TokenBatch> batches = new ArrayList<>();
        List<int[]> current = new ArrayList<>();
        int used = 0;
        for (int start = trainEnd; start + length <= stream.length && used < maxRows; start += length, used++) {
            current.add(Arrays.copyOfRange(stream, start, start + length));
            if (current.size() == rows) {
                batches.add(TokenBatch.allTargets(current));
                current = new ArrayList<>();
            }
        }
        if (!current.isEmpty()) {
            batches.add(TokenBatch.allTargets(current));
        }
        return batches;
    }
}
