package org.jalign.ppo;

import com.google.gson.JsonObject;
import org.jalign.lm.LanguageModel;
import org.jalign.lm.PromptLine;
import org.jalign.lm.TextTokenizer;
import org.jalign.lm.lora.LoraConfig;
import org.jalign.reward.ClassifierReward;
import org.jalign.reward.RewardFunction;
import org.jalign.reward.RewardModel;
import org.jalign.run.ProgressBar;
import org.jalign.run.RunDirectory;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A PPO run ({@code jalign ppo}). Steps:
 * <ol>
 *   <li>The prompts: JSONL, {@code {"prompt": "text"}} (BOS + tokens, as {@code generate} encodes
 *       it) or {@code {"prompt_ids": [..]}} (used as given, e.g. rendered with a chat template
 *       beforehand); every line checked before any model is loaded.</li>
 *   <li>The policy, with fresh LoRA adapters (the reference is the same weights with adapters off)
 *       or, for full fine-tuning, a second frozen copy as the reference.</li>
 *   <li>The reward: a reward model directory ({@code reward train}'s final/) or one label of a
 *       sequence classifier; its vocabulary must be the policy's, since rewards read token ids.</li>
 *   <li>The run directory and its manifest, once inputs check out.</li>
 *   <li>{@link PpoTrainer} steps until {@code steps} or the target reward, a metrics line per step,
 *       checkpoints staged and renamed; {@code resume} continues from the newest one exactly.</li>
 *   <li>final/: the adapter (or the full policy, or with {@code merge} the merged model) and
 *       {@code value_head.safetensors}.</li>
 * </ol>
 */
public final class PpoTraining {

    /** Where the score comes from. */
    public sealed interface RewardSource permits RewardSource.Model, RewardSource.Classifier {
        /** A reward model: {@code reward train}'s final/ or any one-label sequence classifier. */
        record Model(Path dir) implements RewardSource {
        }

        /** One label's logit of a multi-label sequence classifier. */
        record Classifier(Path dir, String label) implements RewardSource {
        }
    }

    /** One run: inputs, LoRA (null = full fine-tuning), merge, checkpoint interval and the PPO config. */
    public record Config(Path policy, Path prompts, RewardSource reward, LoraConfig lora, boolean merge,
                         long checkpointEvery, PpoConfig ppo) {
        public Config {
            if (policy == null || prompts == null || reward == null || ppo == null) {
                throw new IllegalArgumentException("ppo needs --policy, --prompts, a reward (--reward-model or "
                        + "--reward-classifier with --label) and a config");
            }
            if (merge && lora == null) {
                throw new IllegalArgumentException("--merge needs --lora");
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("--checkpoint-every must be >= 0, got " + checkpointEvery);
            }
        }

        JsonObject toJson() {
            JsonObject o = ppo.toJson();
            o.addProperty("policy", policy.toString());
            o.addProperty("prompts", prompts.toString());
            if (reward instanceof RewardSource.Model m) {
                o.addProperty("rewardModel", m.dir().toString());
            } else if (reward instanceof RewardSource.Classifier c) {
                o.addProperty("rewardClassifier", c.dir().toString());
                o.addProperty("rewardLabel", c.label());
            }
            o.addProperty("lora", lora == null ? null : lora.toString());
            o.addProperty("merge", merge);
            return o;
        }
    }

    /** How the run ended. */
    public record Result(long steps, long resumedFrom, boolean reachedTarget, PpoTrainer.StepResult last, int prompts) {
    }

    private PpoTraining() {
    }

    public static Result run(Config c, Path out, boolean resume, boolean quiet, PrintWriter err) throws IOException {
        // 1. the prompts, checked line by line before anything is loaded
        List<PromptLine> lines = PromptLine.readAll(c.prompts());
        // 2. the policy (and its reference)
        try (LanguageModel policy = LanguageModel.load(c.policy());
             LanguageModel reference = c.lora() == null ? LanguageModel.load(c.policy()) : null) {
            List<int[]> prompts = encode(lines, c.prompts(), policy, c.ppo().maxNewTokens());
            // 3. the reward
            try (AutoCloseable rewardHandle = openReward(c.reward(), policy)) {
                return train(c, out, resume, quiet, err, policy, reference, (RewardFunction) rewardHandle, prompts);
            }
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static Result train(Config c, Path out, boolean resume, boolean quiet, PrintWriter err, LanguageModel policy,
                                LanguageModel reference, RewardFunction reward, List<int[]> prompts) throws IOException {
        {
            if (c.lora() != null) {
                policy.addAdapters(c.lora(), c.ppo().seed());
            }
            // 4. the run directory
            Map<String, Path> inputs = new LinkedHashMap<>();
            inputs.put("prompts", c.prompts());
            inputs.put("policy_weights", weightsFile(c.policy()));
            RunDirectory dir = RunDirectory.start(out, resume, RunDirectory.manifest("ppo", c.toJson(), c.ppo().seed(), inputs));
            // 5. train
            long resumedFrom = 0;
            PpoTrainer.StepResult last = null;
            boolean reached = false;
            long steps;
            org.jalign.lm.ScalarHead valueHead;
            try (PpoTrainer trainer = new PpoTrainer(policy, reference, reward, prompts, c.ppo())) {
                Optional<Path> checkpoint = dir.latestCheckpoint();
                if (checkpoint.isPresent()) {
                    trainer.loadState(checkpoint.get());
                    resumedFrom = trainer.stepCount();
                    if (!quiet) {
                        err.println("resuming from " + checkpoint.get() + " (step " + resumedFrom + ")");
                    }
                }
                reached = trainer.reachedTargetReward();
                try (BufferedWriter metrics = dir.openMetrics(resumedFrom);
                     ProgressBar bar = new ProgressBar("ppo", c.ppo().steps(), err, quiet)) {
                    bar.advance(resumedFrom);
                    while (!reached && trainer.stepCount() < c.ppo().steps()) {
                        last = trainer.step();
                        reached = trainer.reachedTargetReward();
                        metrics.write(metricsLine(last) + "\n");
                        metrics.flush();
                        bar.setStatus(String.format(Locale.ROOT, "reward %.3f kl %.3f", last.scoreMean(), last.klK1()));
                        bar.advance(1);
                        boolean end = reached || last.step() == c.ppo().steps();
                        if (end || c.checkpointEvery() > 0 && last.step() % c.checkpointEvery() == 0) {
                            Path staged = dir.stageCheckpoint();
                            trainer.saveState(staged);
                            dir.commitCheckpoint(staged, last.step(), 2);
                        }
                    }
                }
                steps = trainer.stepCount();
                valueHead = trainer.valueHead();
            }
            // 6. final/ (after the trainer has let go of the adapters, which a merge closes)
            writeFinal(policy, valueHead, c, dir.finalDir());
            return new Result(steps, resumedFrom, reached, last, prompts.size());
        }
    }

    private static List<int[]> encode(List<PromptLine> lines, Path file, LanguageModel policy, int maxNewTokens) {
        int vocab = policy.config().vocabSize();
        int room = policy.config().maxPositions() - maxNewTokens;
        List<int[]> out = new ArrayList<>(lines.size());
        for (PromptLine l : lines) {
            int[] ids;
            if (l.text() != null) {
                TextTokenizer tokenizer = policy.tokenizer().orElseThrow(() -> l.line().error(
                        "field \"prompt\" is text, but the policy has no tokenizer.json", "\"prompt_ids\" (token ids)"));
                ids = policy.specialTokens().withBos(tokenizer.encode(l.text()));
                if (ids.length == 0) {
                    throw l.line().error("field \"prompt\" encodes to no tokens and the policy has no BOS token", "a non-empty prompt");
                }
            } else {
                ids = l.ids();
                for (int id : ids) {
                    if (id < 0 || id >= vocab) {
                        throw l.line().error("field \"prompt_ids\" holds " + id + ", outside the vocabulary [0, " + vocab + ")",
                                "token ids of the policy");
                    }
                }
            }
            if (ids.length > room) {
                throw l.line().error("the prompt has " + ids.length + " tokens; with --max-new-tokens " + maxNewTokens
                        + " at most " + room + " fit the policy's " + policy.config().maxPositions() + " positions",
                        "a shorter prompt or fewer new tokens");
            }
            out.add(ids);
        }
        return out;
    }

    private static AutoCloseable openReward(RewardSource source, LanguageModel policy) throws IOException {
        AutoCloseable handle;
        LanguageModel body;
        if (source instanceof RewardSource.Model m) {
            RewardModel model = RewardModel.load(m.dir());
            handle = model;
            body = model.languageModel();
        } else {
            RewardSource.Classifier c = (RewardSource.Classifier) source;
            ClassifierReward classifier = ClassifierReward.load(c.dir(), c.label(), ClassifierReward.Mode.LOGIT);
            handle = classifier;
            body = classifier.languageModel();
        }
        if (body.config().vocabSize() != policy.config().vocabSize()) {
            int rewardVocab = body.config().vocabSize();
            try {
                handle.close();
            } catch (Exception ignored) {
                // the error below is the one to report
            }
            throw new IOException("the reward model's vocabulary (" + rewardVocab + " tokens) differs from the policy's ("
                    + policy.config().vocabSize() + "): rewards are computed from the policy's token ids, so both "
                    + "must share one tokenizer");
        }
        return handle;
    }

    private static JsonObject metricsLine(PpoTrainer.StepResult r) {
        JsonObject o = new JsonObject();
        o.addProperty("step", r.step());
        o.addProperty("reward_mean", r.scoreMean());
        o.addProperty("reward_std", r.scoreStd());
        o.addProperty("raw_score_mean", r.rawScoreMean());
        o.addProperty("non_score_reward", r.nonScoreReward());
        o.addProperty("kl", r.klK1());
        o.addProperty("kl_k3", r.klK3());
        o.addProperty("beta", r.beta());
        o.addProperty("entropy", r.entropy());
        o.addProperty("policy_loss", r.policyLoss());
        o.addProperty("value_loss", r.valueLoss());
        o.addProperty("approx_kl", r.approxKl());
        o.addProperty("clip_fraction", r.clipFraction());
        o.addProperty("value_clip_fraction", r.valueClipFraction());
        o.addProperty("explained_variance", r.explainedVariance());
        o.addProperty("response_length", r.responseLength());
        o.addProperty("eos_fraction", r.eosFraction());
        o.addProperty("grad_norm", r.gradNorm());
        o.addProperty("tokens_per_s", r.tokens() / r.seconds());
        o.addProperty("step_seconds", r.seconds());
        o.addProperty("generation_seconds", r.generationSeconds());
        return o;
    }

    private static void writeFinal(LanguageModel policy, org.jalign.lm.ScalarHead valueHead, Config c, Path finalDir) throws IOException {
        if (c.lora() != null && !c.merge()) {
            Files.createDirectories(finalDir);
            policy.saveAdapters(finalDir);
        } else {
            if (c.lora() != null) {
                policy.mergeAdapters();
            }
            policy.save(finalDir);   // staged and renamed: final/ is replaced whole
        }
        Path tmp = finalDir.resolve("value_head.safetensors.tmp");
        valueHead.save(tmp, "v_head");
        Files.move(tmp, finalDir.resolve("value_head.safetensors"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path weightsFile(Path model) {
        Path single = model.resolve("model.safetensors");
        return Files.exists(single) ? single : model.resolve("model.safetensors.index.json");
    }

}
