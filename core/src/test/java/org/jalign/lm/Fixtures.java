package org.jalign.lm;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The shared, read-only test fixtures (../shared/fixtures); tests skip when absent. */
public final class Fixtures {
    private Fixtures() {
    }

    /** The tiny pretrained Llama (stories260K in HF layout), or a skipped test. */
    public static Path llama260k() {
        String root = System.getProperty("jalign.fixtures", "../shared/fixtures");
        Path dir = Path.of(root, "llama-260k");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("model.safetensors")),
                "fixture llama-260k not present at " + dir);
        return dir;
    }

    /** The 128 ids that greedy decoding from [BOS] produces (greedy-from-bos.txt). */
    public static int[] llamaGreedyFromBos() throws IOException {
        String text = Files.readString(llama260k().resolve("greedy-from-bos.txt")).trim();
        return Arrays.stream(text.split("\\s+")).mapToInt(t -> Integer.parseInt(t.substring(1))).toArray();
    }
}
