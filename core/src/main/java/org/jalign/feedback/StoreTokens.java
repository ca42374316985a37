package org.jalign.feedback;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Secrets and hashes for the store: bearer tokens are 32 random bytes (256 bits, so guessing is
 * hopeless and no slow password hash is needed) in URL-safe base64; only their SHA-256 is stored,
 * so a copy of the database signs no one in. Also the seeded mixing behind assignment order.
 */
final class StoreTokens {
    private static final SecureRandom RANDOM = new SecureRandom();

    private StoreTokens() {
    }

    /** A fresh token: 32 random bytes, URL-safe base64 without padding (43 characters). */
    static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Lower-case hex SHA-256 of the UTF-8 text (64 characters). */
    static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text));
    }

    /** The first 8 bytes of SHA-256(text) as a long: a stable, well-spread key for a string. */
    static long hashToLong(String text) {
        byte[] digest = sha256(text);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (digest[i] & 0xff);
        }
        return value;
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Stafford's mix13, the finalizer of SplittableRandom: a bijection that scrambles all 64 bits. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Mixes several values into one seed, order-sensitive. */
    static long mix(long... values) {
        long h = 0x9e3779b97f4a7c15L;
        for (long v : values) {
            h = mix(h ^ mix(v + 0x9e3779b97f4a7c15L));
        }
        return h;
    }

    /** A uniform double in [0, 1) from the top 53 bits of a mixed value. */
    static double unit(long mixed) {
        return (mixed >>> 11) * 0x1.0p-53;
    }
}
