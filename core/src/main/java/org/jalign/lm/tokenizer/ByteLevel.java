package org.jalign.lm.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The byte level of GPT-2's tokenizer (Radford et al. 2019, {@code encoder.py}; Hugging Face
 * {@code pre_tokenizers/byte_level.rs}): text is split by one regex, each piece's UTF-8 bytes are
 * spelled with 256 printable characters, and BPE runs on those characters. Every byte has a symbol,
 * so no text is ever unknown and decoding restores the exact bytes.
 */
public final class ByteLevel {

    /**
     * GPT-2's split: English contractions, a letter run, a digit run or a run of other symbols
     * (each with at most one leading space), then whitespace (a run keeps its last space for the
     * next word unless it ends the text). {@code UNICODE_CHARACTER_CLASS} makes {@code \s} Unicode
     * White_Space, the set Oniguruma's {@code \s} matches in the Rust library (Java's default is ASCII only).
     */
    static final Pattern GPT2_SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE;

    static {
        // Printable Latin-1 bytes stand for themselves; the other 68 bytes (controls, space, 0x7F-0xA0,
        // soft hyphen) take the characters from U+0100 upward, in byte order.
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + next++);
        }
        CHAR_TO_BYTE = new int[256 + next];
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        for (int b = 0; b < 256; b++) {
            CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
        }
    }

    private ByteLevel() {
    }

    /** The character that spells byte {@code b} (0–255); e.g. space is 'Ġ' (U+0120), newline 'Ċ'. */
    public static char symbol(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte that symbol {@code c} spells. */
    static int byteOf(char c) {
        int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
        if (b < 0) {
            throw new IllegalArgumentException("'" + c + "' (U+" + Integer.toHexString(c) + ") is not in the byte alphabet");
        }
        return b;
    }

    /** The pieces GPT-2's regex cuts {@code text} into; concatenated they give {@code text} back. */
    public static List<String> split(String text) {
        List<String> pieces = new ArrayList<>();
        Matcher m = GPT2_SPLIT.matcher(text);
        int end = 0;
        while (m.find()) {
            if (m.start() > end) { // Unreachable with this regex (it matches every character), kept as the Rust split does.
                pieces.add(text.substring(end, m.start()));
            }
            pieces.add(m.group());
            end = m.end();
        }
        if (end < text.length()) {
            pieces.add(text.substring(end));
        }
        return pieces;
    }

    /** {@code piece}'s UTF-8 bytes spelled in the byte alphabet: {@code " héllo"} → {@code "ĠhÃ©llo"}. */
    public static String encode(String piece) {
        byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            chars[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(chars);
    }

    /**
     * Appends the bytes a token spells. As the Rust decoder does, a token with a character outside
     * the alphabet (a special token such as {@code <eos>} is not: ASCII is in it) contributes its own UTF-8.
     */
    static void appendBytes(String token, ByteArrayOutputStream out) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) {
                out.writeBytes(token.getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        for (int i = 0; i < token.length(); i++) {
            out.write(CHAR_TO_BYTE[token.charAt(i)]);
        }
    }

    /**
     * Lower-cases as the Rust {@code Lowercase} normalizer does: each code point on its own with
     * Unicode's full mapping ({@code char::to_lowercase}). Java's {@code String.toLowerCase} differs
     * in context: it turns a word-final 'Σ' into 'ς', which Rust does not.
     */
    public static String lowercase(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            if (cp == 0x130) { // 'İ': the one unconditional multi-character lower-case mapping (SpecialCasing.txt).
                out.append("i\u0307");
            } else {
                out.appendCodePoint(Character.toLowerCase(cp));
            }
        });
        return out.toString();
    }
}
