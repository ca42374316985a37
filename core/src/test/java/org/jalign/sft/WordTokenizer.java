package org.jalign.sft;

import org.jalign.lm.TextTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A word-level tokenizer for tests: {@code <|tags|>}, words, newlines and single punctuation marks
 * are tokens, spaces are dropped, unknown pieces are {@code <unk>}. It knows nothing of
 * {@code <s>}/{@code </s>} (it would split them into {@code < / s >}), so a test sees whether the
 * encoder mapped them to ids itself.
 */
final class WordTokenizer implements TextTokenizer {

    static final List<String> VOCAB = List.of("<pad>", "<s>", "</s>", "<unk>", "<|system|>", "<|user|>", "<|assistant|>",
            "\n", "what", "is", "two", "plus", "four", "?", "be", "brief", ".", "hi", "hello", "more", "sure",
            "[", "]", "INST", "/", "<", ">", "s");
    static final int BOS = 1;
    static final int EOS = 2;
    private static final int UNK = 3;
    private static final Pattern PIECE = Pattern.compile("<\\|\\w+\\|>|\\w+|\\n|[^\\w\\s]");

    /** The id of {@code word}; the tests' reference, independent of {@link #encode}. */
    static int id(String word) {
        int id = VOCAB.indexOf(word);
        if (id < 0) {
            throw new IllegalArgumentException(word + " is not in the test vocabulary");
        }
        return id;
    }

    @Override
    public int[] encode(String text) {
        List<Integer> ids = new ArrayList<>();
        Matcher m = PIECE.matcher(text);
        while (m.find()) {
            int id = VOCAB.indexOf(m.group());
            ids.add(id < 0 ? UNK : id);
        }
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder s = new StringBuilder();
        for (int id : ids) {
            s.append(s.length() == 0 ? "" : " ").append(VOCAB.get(id));
        }
        return s.toString();
    }
}
