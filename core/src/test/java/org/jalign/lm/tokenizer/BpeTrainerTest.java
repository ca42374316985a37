package org.jalign.lm.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trainer against merges worked out by hand, its stopping rules, its errors and its speed. */
class BpeTrainerTest {

    private static ByteLevelBpe.Merge merge(String left, String right) {
        return new ByteLevelBpe.Merge(left, right);
    }

    /**
     * "aaab aaab ab" splits into "aaab", " aaab", " ab" (space spelled Ġ). Pair counts: aa 4, ab 3,
     * Ġa 2 → merge a+a. Then aa|a|b, Ġ|aa|a|b, Ġ|a|b: ab 3, aa·a 2 → a+b. Then aa|ab twice → aa+ab.
     * Left: Ġ|aaab and Ġ|ab, once each: the tie goes to the smaller right side, "aaab" < "ab".
     */
    @Test
    void learnsTheMergesWorkedOutByHand() {
        ByteLevelBpe bpe = BpeTrainer.train("aaab aaab ab", new BpeTrainer.Config(1000, 1, false));

        assertThat(bpe.merges()).containsExactly(
                merge("a", "a"), merge("a", "b"), merge("aa", "ab"), merge("Ġ", "aaab"), merge("Ġ", "ab"));
        assertThat(bpe.vocabulary().subList(260, bpe.vocabSize())).containsExactly("aa", "ab", "aaab", "Ġaaab", "Ġab");
        assertThat(bpe.encode("aaab aaab ab")).containsExactly(262, 263, 264);
    }

    @Test
    void minFrequencyStopsAtPairsSeenTooRarely() {
        ByteLevelBpe bpe = BpeTrainer.train("aaab aaab ab", new BpeTrainer.Config(1000, 2, false));

        assertThat(bpe.merges()).containsExactly(merge("a", "a"), merge("a", "b"), merge("aa", "ab"));
    }

    @Test
    void vocabSizeCountsSpecialsBytesAndMerges() {
        ByteLevelBpe bpe = BpeTrainer.train("aaab aaab ab", new BpeTrainer.Config(262, 1, false));

        assertThat(bpe.vocabSize()).isEqualTo(262);
        assertThat(bpe.merges()).containsExactly(merge("a", "a"), merge("a", "b"));
        assertThat(bpe.vocabulary().subList(0, 6)).containsExactly("<pad>", "<bos>", "<eos>", "<unk>", "Ā", "ā");
        assertThat(bpe.vocabulary().get(4 + ' ')).isEqualTo("Ġ");
        assertThat(bpe.vocabulary().get(4 + 'a')).isEqualTo("a");
    }

    @Test
    void tiesGoToTheSmallestLeftBytesThenTheSmallestRight() {
        // Every pair once: "dc", "ba", "ab" → "ab" first (a < b < d), then "ba", then "dc".
        ByteLevelBpe bpe = BpeTrainer.train("dc,ba,ab", new BpeTrainer.Config(263, 1, false));

        assertThat(bpe.merges()).containsExactly(merge("a", "b"), merge("b", "a"), merge("d", "c"));
    }

    @Test
    void specialTokensWrittenInTheCorpusAreNotLearned() {
        ByteLevelBpe bpe = BpeTrainer.train("<eos><eos><eos>ab<bos>ab<pad>", new BpeTrainer.Config(1000, 1, false));

        assertThat(bpe.merges()).containsExactly(merge("a", "b"));
    }

    @Test
    void lowercaseTrainsOnLowerCasedText() {
        ByteLevelBpe bpe = BpeTrainer.train("AB Ab aB", new BpeTrainer.Config(261, 1, true));

        assertThat(bpe.merges()).containsExactly(merge("a", "b"));
        assertThat(bpe.encode("AB")).containsExactly(260);
    }

    @Test
    void twoMergesMaySpellOneToken() {
        // The trainer reuses the id when a merge spells an existing token ("ab"+"c" after "a"+"bc"), as the
        // Rust trainer does; the encoder then applies whichever of the two comes first in a piece.
        List<String> vocabulary = new java.util.ArrayList<>(BpeTrainer.train("x", BpeTrainer.Config.of(260)).vocabulary());
        vocabulary.addAll(List.of("bc", "ab", "abc"));
        ByteLevelBpe bpe = new ByteLevelBpe(vocabulary,
                List.of(merge("b", "c"), merge("a", "b"), merge("a", "bc"), merge("ab", "c")), false);

        assertThat(bpe.encode("abc")).containsExactly(262);
        assertThatThrownBy(() -> new ByteLevelBpe(vocabulary, List.of(merge("b", "c"), merge("b", "c")), false))
                .hasMessageContaining("already learned");
    }

    @Test
    void sameCorpusGivesTheSameTokenizer() {
        String corpus = syntheticCorpus(20_000, 7);
        ByteLevelBpe a = BpeTrainer.train(corpus, BpeTrainer.Config.of(600));
        ByteLevelBpe b = BpeTrainer.train(corpus, BpeTrainer.Config.of(600));

        assertThat(a.merges()).isEqualTo(b.merges());
        assertThat(a.vocabulary()).isEqualTo(b.vocabulary());
    }

    @Test
    void trainingWordsEncodeToFewTokens() {
        String corpus = syntheticCorpus(50_000, 3);
        ByteLevelBpe bpe = BpeTrainer.train(corpus, BpeTrainer.Config.of(1000));

        int[] ids = bpe.encode(corpus);
        assertThat(ids.length).isLessThan(corpus.length() / 3); // the frequent words became single tokens
        assertThat(bpe.decode(ids, false)).isEqualTo(corpus);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aMegabyteCorpusWithVocab2000TrainsInSeconds() {
        String corpus = syntheticCorpus(1 << 20, 11);
        long start = System.nanoTime();
        ByteLevelBpe bpe = BpeTrainer.train(corpus, BpeTrainer.Config.of(2000));
        double seconds = (System.nanoTime() - start) / 1e9;

        System.out.printf("BpeTrainerTest: 1 MiB corpus, vocab 2000: %.2f s%n", seconds);
        assertThat(bpe.vocabSize()).isEqualTo(2000);
        assertThat(bpe.merges()).hasSize(2000 - 260);
    }

    @Test
    void splitsTextAsGpt2Does() {
        // Cases from the Rust library's byte_level.rs tests, and contractions, digits and Unicode.
        assertThat(ByteLevel.split("Hello my friend, how is your day going?"))
                .containsExactly("Hello", " my", " friend", ",", " how", " is", " your", " day", " going", "?");
        assertThat(ByteLevel.split("Hello there\nHello there"))
                .containsExactly("Hello", " there", "\n", "Hello", " there");
        assertThat(ByteLevel.split("Hello there       dear"))
                .containsExactly("Hello", " there", "      ", " dear");
        assertThat(ByteLevel.split("I'm 42!! héllo\u3000世界 🙂\n\n"))
                .containsExactly("I", "'m", " 42", "!!", " héllo", "\u3000", "世界", " 🙂", "\n\n");
        assertThat(ByteLevel.encode(" héllo\n")).isEqualTo("ĠhÃ©lloĊ");
    }

    @Test
    void lowercaseIsPerCharacterAsInRust() {
        assertThat(ByteLevel.lowercase("ΟΔΟΣ HÉLLO İ")).isEqualTo("οδοσ héllo i\u0307");
    }

    @Test
    void badConfigAndEmptyCorpusAreClearErrors() {
        assertThatThrownBy(() -> BpeTrainer.Config.of(259))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vocab size must be at least 260 (4 special tokens + 256 bytes), got 259");
        assertThatThrownBy(() -> new BpeTrainer.Config(300, 0, false))
                .hasMessage("min frequency must be at least 1, got 0");
        assertThatThrownBy(() -> BpeTrainer.train("", BpeTrainer.Config.of(300)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the corpus has no text to train on");
        assertThatThrownBy(() -> BpeTrainer.train("<eos><bos>", BpeTrainer.Config.of(300)))
                .hasMessage("the corpus has no text to train on (only special tokens)");
    }

    @Test
    void smallestVocabularyHasNoMerges() {
        ByteLevelBpe bpe = BpeTrainer.train("hello hello", BpeTrainer.Config.of(260));

        assertThat(bpe.merges()).isEmpty();
        assertThat(bpe.encode("hi")).containsExactly(4 + 'h', 4 + 'i');
    }

    /** Words drawn from a Zipf-like distribution over a random lexicon, with punctuation and newlines. */
    static String syntheticCorpus(int chars, long seed) {
        Random random = new Random(seed);
        List<String> lexicon = new java.util.ArrayList<>();
        String letters = "etaoinshrdlucmfwypvbgkjqxz";
        for (int i = 0; i < 3000; i++) {
            StringBuilder w = new StringBuilder();
            int length = 1 + random.nextInt(9);
            for (int j = 0; j < length; j++) {
                w.append(letters.charAt((int) Math.min(letters.length() - 1, Math.abs(random.nextGaussian()) * 8)));
            }
            lexicon.add(w.toString());
        }
        StringBuilder text = new StringBuilder(chars + 16);
        while (text.length() < chars) {
            int rank = (int) Math.min(lexicon.size() - 1, Math.exp(random.nextDouble() * Math.log(lexicon.size())) - 1);
            String word = lexicon.get(rank);
            if (random.nextInt(12) == 0) {
                word = Character.toUpperCase(word.charAt(0)) + word.substring(1);
            }
            text.append(word);
            int r = random.nextInt(20);
            text.append(r == 0 ? ".\n" : r == 1 ? ", " : r == 2 ? " 1984 " : " ");
        }
        return text.toString();
    }
}
