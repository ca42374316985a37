package org.jalign.lm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import org.jalign.data.AtomicFiles;
import org.jalign.lm.gpt2.Gpt2Model;
import org.jalign.lm.llama.LlamaModel;
import org.jalign.lm.lora.LoraAdapters;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.lm.safetensors.Checkpoint;
import org.jalign.lm.safetensors.DType;
import org.jalign.lm.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A causal LM loaded from a Hugging Face directory (config.json, safetensors, optional
 * tokenizer.json), with batched generation and per-token log-probs.
 */
public final class LanguageModel implements AutoCloseable {
    /** Rows of (T × V) logits held at once when scoring: bounds memory for large vocabularies. */
    private static final long MAX_LOGITS_PER_CHUNK = 1L << 26;

    /** Files next to the weights that describe tokenization and generation; copied on save. */
    private static final List<String> COMPANION_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "generation_config.json", "chat_template.jinja");

    private final DecoderModel model;
    private final HfTokenizer tokenizer;
    private final Path sourceDir;
    private final SpecialTokens specialTokens;
    private final Generator generator;

    private LanguageModel(DecoderModel model, HfTokenizer tokenizer, SpecialTokens specialTokens, Path sourceDir) {
        this.model = model;
        this.sourceDir = sourceDir;
        this.tokenizer = tokenizer;
        this.specialTokens = specialTokens;
        this.generator = new Generator(model, specialTokens);
    }

    /** Loads {@code dir}: config.json, model.safetensors (or a sharded index), tokenizer.json if present. */
    public static LanguageModel load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("model directory " + dir + " does not exist or is not a directory");
        }
        ModelConfig config = ModelConfig.load(dir);
        NDManager manager = NDManager.newBaseManager();
        HfTokenizer tokenizer = null;
        try (Checkpoint checkpoint = Checkpoint.open(dir)) {
            DecoderModel model = build(config, CheckpointTensors.of(checkpoint), manager);
            if (Files.exists(dir.resolve("tokenizer.json"))) {
                tokenizer = HfTokenizer.load(dir);
            }
            return new LanguageModel(model, tokenizer, SpecialTokens.resolve(dir, config, tokenizer), dir);
        } catch (IOException | RuntimeException e) {
            manager.close();
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    /**
     * A model from weights in memory that uses the tokenizer and generation files of
     * {@code companionDir} (a fresh model being pretrained): they resolve its special tokens and
     * are copied next to the weights by {@link #save}.
     */
    public static LanguageModel create(ModelConfig config, TensorSource weights, Path companionDir) throws IOException {
        NDManager manager = NDManager.newBaseManager();
        HfTokenizer tokenizer = null;
        try {
            if (Files.exists(companionDir.resolve("tokenizer.json"))) {
                tokenizer = HfTokenizer.load(companionDir);
            }
            return new LanguageModel(build(config, weights, manager), tokenizer,
                    SpecialTokens.resolve(companionDir, config, tokenizer), companionDir);
        } catch (IOException | RuntimeException e) {
            manager.close();
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    /** A model from weights already in memory (tests, synthetic benchmarks); no tokenizer. */
    public static LanguageModel of(ModelConfig config, TensorSource weights) throws IOException {
        NDManager manager = NDManager.newBaseManager();
        try {
            return new LanguageModel(build(config, weights, manager), null, SpecialTokens.of(config), null);
        } catch (IOException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static DecoderModel build(ModelConfig config, TensorSource source, NDManager manager) throws IOException {
        return switch (config.architecture()) {
            case LLAMA, QWEN2 -> LlamaModel.load(config, source, manager);
            case GPT2 -> Gpt2Model.load(config, source, manager);
        };
    }

    public ModelConfig config() {
        return model.config();
    }

    /** The network itself, for trainers and heads that work on hidden states. */
    public DecoderModel decoder() {
        return model;
    }

    /** The tokenizer, when the directory has a tokenizer.json. */
    public Optional<TextTokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    /**
     * Decodes {@code config.numReturnSequences()} completions for each prompt, all prompts in one
     * left-padded batch (callers split large inputs into batches).
     *
     * @param firstPromptIndex index of {@code prompts.get(0)} in the caller's whole input; seeds
     *                         each sample's generator so results do not depend on batching
     * @return prompt-major: prompt 0's samples, then prompt 1's, ...
     */
    public List<GeneratedSequence> generate(List<int[]> prompts, GenerationConfig config, int firstPromptIndex) {
        return generator.generate(prompts, config, firstPromptIndex);
    }

    /**
     * Per-token log-probs: for each sequence s of length n, an array of n−1 values where
     * {@code [i] = log p(s[i+1] | s[0..i])}; all sequences in one padded batch.
     */
    public float[][] logProbs(List<int[]> sequences) {
        return score(sequences, 1.0).logProbs();
    }

    /** Log-probs and entropies of each next token, for logits divided by {@code temperature}. */
    public record TokenScores(float[][] logProbs, float[][] entropies) {
    }

    /**
     * Scores every next token of every sequence: log p(s[i+1] | s[0..i]) and the entropy of that
     * distribution, under softmax(logits / temperature). Sequences are left-padded into one batch
     * (chunked so that at most ~64M logits exist at once); padding never changes a result.
     */
    public TokenScores score(List<int[]> sequences, double temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        }
        int n = sequences.size();
        float[][] logProbs = new float[n][];
        float[][] entropies = new float[n][];
        int vocab = model.config().vocabSize();
        int start = 0;
        while (start < n) {
            int end = start;
            int longest = 0;
            while (end < n) {
                int len = Math.max(longest, sequences.get(end).length);
                if (end > start && (long) (end - start + 1) * len * vocab > MAX_LOGITS_PER_CHUNK) {
                    break;
                }
                longest = len;
                end++;
            }
            scoreChunk(sequences, start, end, longest, temperature, logProbs, entropies);
            start = end;
        }
        return new TokenScores(logProbs, entropies);
    }

    private void scoreChunk(List<int[]> sequences, int start, int end, int length, double temperature,
                            float[][] logProbs, float[][] entropies) {
        int rows = end - start;
        long[] ids = new long[rows * length];
        long[] positions = new long[rows * length];
        float[] mask = new float[rows * length];
        for (int r = 0; r < rows; r++) {
            int[] s = sequences.get(start + r);
            if (s.length < 2) {
                throw new IllegalArgumentException("sequence " + (start + r) + " has " + s.length
                        + " tokens; log-probs need at least 2");
            }
            if (s.length > model.config().maxPositions()) {
                throw new IllegalArgumentException("sequence " + (start + r) + " has " + s.length
                        + " tokens, more than max_position_embeddings (" + model.config().maxPositions() + ")");
            }
            int offset = length - s.length;
            for (int i = 0; i < s.length; i++) {
                if (s[i] < 0 || s[i] >= model.config().vocabSize()) {
                    throw new IllegalArgumentException("sequence " + (start + r) + " has token id " + s[i]
                            + " outside the vocabulary [0, " + model.config().vocabSize() + ")");
                }
                ids[r * length + offset + i] = s[i];
                positions[r * length + offset + i] = i;
                mask[r * length + offset + i] = 1f;
            }
            for (int i = 0; i < offset; i++) {
                ids[r * length + i] = specialTokens.padId();
            }
        }
        try (NDManager scope = model.manager().newSubManager()) {
            NDArray input = scope.create(ids, new Shape(rows, length));
            NDArray hidden = model.hiddenStates(input, scope.create(positions, new Shape(rows, length)),
                    scope.create(mask, new Shape(rows, length)), null);
            NDArray logits = model.logits(hidden.get(new NDIndex(":, :-1, :")));      // (B, L−1, V)
            NDArray targets = input.get(new NDIndex(":, 1:"));                         // (B, L−1)
            float[] picked = TokenLogProbs.selected(logits, targets, temperature).toFloatArray();
            float[] entropy = TokenLogProbs.entropy(logits, temperature).toFloatArray();
            for (int r = 0; r < rows; r++) {
                int len = sequences.get(start + r).length;
                int from = r * (length - 1) + (length - len);
                logProbs[start + r] = java.util.Arrays.copyOfRange(picked, from, from + len - 1);
                entropies[start + r] = java.util.Arrays.copyOfRange(entropy, from, from + len - 1);
            }
        }
    }

    /** Attaches fresh LoRA adapters (B = 0: the model's outputs are unchanged until trained). */
    public LoraAdapters addAdapters(LoraConfig config, long seed) {
        replaceAdapters(LoraAdapters.create(config, model.projections(), model.projectionsStoredInOut(),
                model.manager(), seed));
        return model.adapters();
    }

    /** Attaches the PEFT LoRA adapter saved in {@code dir} (adapter_config.json + adapter_model.safetensors). */
    public LoraAdapters loadAdapters(Path dir) throws IOException {
        replaceAdapters(LoraAdapters.load(dir, model.projections(), model.projectionsStoredInOut(), model.manager()));
        return model.adapters();
    }

    private void replaceAdapters(LoraAdapters adapters) {
        if (model.adapters() != null) {
            model.adapters().close();
        }
        model.setAdapters(adapters);
    }

    /** Saves the attached adapters in the PEFT format Hugging Face loads. */
    public void saveAdapters(Path dir) throws IOException {
        if (model.adapters() == null) {
            throw new IllegalStateException("this model has no adapters to save");
        }
        model.adapters().save(dir, sourceDir == null ? null : sourceDir.toString());
    }

    /**
     * Computes with the adapters switched off until the handle is closed: the frozen base, used
     * as PPO's reference model without a second copy. A model without adapters is unaffected.
     */
    public AutoCloseable adaptersDisabled() {
        return model.adapters() == null ? () -> { } : model.adapters().disabled();
    }

    /** Folds the adapters into the base weights (then {@link #save} writes a plain HF model). */
    public void mergeAdapters() {
        model.mergeAdapters();
    }

    /**
     * Saves the model in the Hugging Face layout {@link #load} reads back bit-exactly: config.json,
     * model.safetensors (F32) and, when loaded from a directory, its tokenizer and generation files.
     * Written into a temporary sibling directory first and renamed into place, so {@code dir}
     * holds either the old model or the complete new one.
     */
    public void save(Path dir) throws IOException {
        if (model.adapters() != null) {
            throw new IllegalStateException("the model has LoRA adapters: mergeAdapters() first to save a full model, "
                    + "or saveAdapters(dir) to save the adapters alone");
        }
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
        try {
            Files.writeString(staging.resolve("config.json"), model.config().toJson());
            Map<String, long[]> shapes = WeightLayout.shapes(model.config());
            Map<String, float[]> weights = model.exportWeights();
            List<SafetensorsWriter.Entry> entries = new ArrayList<>();
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                float[] values = weights.get(e.getKey());
                if (values == null) {
                    throw new IllegalStateException("model exported no tensor \"" + e.getKey() + "\"");
                }
                entries.add(new SafetensorsWriter.Entry(e.getKey(), DType.F32, e.getValue(), values));
            }
            SafetensorsWriter.write(staging.resolve("model.safetensors"), entries, Map.of("format", "pt"));
            if (sourceDir != null) {
                for (String name : COMPANION_FILES) {
                    Path from = sourceDir.resolve(name);
                    if (Files.isRegularFile(from)) {
                        Files.copy(from, staging.resolve(name));
                    }
                }
            }
            Path old = null;
            if (Files.exists(target)) {
                old = Files.createTempDirectory(parent, "." + target.getFileName() + ".old-");
                Files.delete(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            if (old != null) {
                AtomicFiles.deleteRecursively(old);
            }
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteRecursively(staging);
            throw e;
        }
    }

    @Override
    public void close() {
        model.close();
        if (tokenizer != null) {
            tokenizer.close();
        }
    }
}
