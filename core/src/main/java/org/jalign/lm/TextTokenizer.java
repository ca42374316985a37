package org.jalign.lm;

/** Text ↔ token ids. A seam: HF tokenizer.json is one implementation; tests may bring their own. */
public interface TextTokenizer {
    /** Ids of {@code text}, without adding BOS/EOS. */
    int[] encode(String text);

    /** Text of {@code ids}; special tokens are dropped when {@code skipSpecialTokens}. */
    String decode(int[] ids, boolean skipSpecialTokens);
}
