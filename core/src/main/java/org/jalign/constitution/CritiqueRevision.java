package org.jalign.constitution;

import org.jalign.data.ChatMessage;
import org.jalign.data.ChatTemplateException;
import org.jalign.lm.GeneratedSequence;
import org.jalign.lm.GenerationConfig;
import org.jalign.lm.LanguageModel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The supervised stage of Constitutional AI (Bai et al. 2022 §3.1) on a batch of prompts:
 *
 * <ol>
 *   <li>Initial response: the one given with the prompt, or sampled from the model for
 *       [user: prompt].</li>
 *   <li>For each round r: draw a principle ({@link PrincipleDraws#forRevision}); generate a
 *       critique of the current response for [user: prompt, assistant: response, user: the
 *       principle's critique request];</li>
 *   <li>then a revision for the same conversation continued with [assistant: critique, user: the
 *       principle's revision request]; the revision becomes the current response.</li>
 * </ol>
 *
 * Each round starts again from the prompt and the current response (earlier critiques are not
 * carried), so the context stays bounded however many rounds run; the paper appends rounds to one
 * growing conversation. Every generation is one batched call over the batch's prompts, seeded per
 * prompt index and phase, so the result of a prompt does not depend on the batch it is in.
 */
public final class CritiqueRevision {
    private final LanguageModel model;
    private final ConversationFormat format;
    private final Constitution constitution;
    private final RevisionConfig config;

    public CritiqueRevision(LanguageModel model, ConversationFormat format, Constitution constitution,
                            RevisionConfig config) {
        this.model = model;
        this.format = format;
        this.constitution = constitution;
        this.config = config;
    }

    /** The traces of {@code batch}, in its order. */
    public List<RevisionTrace> run(List<RevisionPrompt> batch) {
        int n = batch.size();
        // 1. initial responses
        String[] current = new String[n];
        boolean[] given = new boolean[n];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            given[i] = batch.get(i).response().isPresent();
            if (given[i]) {
                current[i] = batch.get(i).response().get();
            } else {
                missing.add(i);
            }
        }
        String initialPhase = "initial response";
        String[] sampled = generate(batch, missing, i -> List.of(ChatMessage.user(batch.get(i).prompt())), 0,
                initialPhase);
        for (int k = 0; k < missing.size(); k++) {
            current[missing.get(k)] = sampled[k];
        }
        String[] initial = current.clone();
        int[][] draws = new int[n][];
        for (int i = 0; i < n; i++) {
            draws[i] = PrincipleDraws.forRevision(config.seed(), batch.get(i).index(), config.rounds(), constitution.size());
        }
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        List<List<RevisionTrace.Round>> rounds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rounds.add(new ArrayList<>());
        }
        for (int r = 0; r < config.rounds(); r++) {
            final int round = r;
            final String[] response = current.clone();
            // 2. critiques
            IntFunction<List<ChatMessage>> critiqueAsk = i -> List.of(ChatMessage.user(batch.get(i).prompt()),
                    ChatMessage.assistant(response[i]),
                    ChatMessage.user(constitution.get(draws[i][round]).critique()));
            String[] critiques = generate(batch, all, critiqueAsk, 2 * r + 1, "round " + (r + 1) + " critique");
            // 3. revisions
            IntFunction<List<ChatMessage>> revisionAsk = i -> {
                List<ChatMessage> messages = new ArrayList<>(critiqueAsk.apply(i));
                messages.add(ChatMessage.assistant(critiques[i]));
                messages.add(ChatMessage.user(constitution.get(draws[i][round]).revision()));
                return messages;
            };
            String[] revisions = generate(batch, all, revisionAsk, 2 * r + 2, "round " + (r + 1) + " revision");
            for (int i = 0; i < n; i++) {
                rounds.get(i).add(new RevisionTrace.Round(constitution.get(draws[i][r]).id(), critiques[i], revisions[i]));
                current[i] = revisions[i];
            }
        }
        List<RevisionTrace> traces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            traces.add(new RevisionTrace(batch.get(i), initial[i], given[i], rounds.get(i)));
        }
        return traces;
    }

    /**
     * One batched generation for the rows {@code rows} of {@code batch}; each contiguous run of
     * prompt indices is one call, since the generator seeds row p by {@code firstPromptIndex + p}.
     */
    private String[] generate(List<RevisionPrompt> batch, List<Integer> rows,
                              IntFunction<List<ChatMessage>> conversation, int phase, String what) {
        String[] out = new String[rows.size()];
        GenerationConfig generation = config.generation(phase);
        int start = 0;
        while (start < rows.size()) {
            int end = start + 1;
            while (end < rows.size()
                    && batch.get(rows.get(end)).index() == batch.get(rows.get(end - 1)).index() + 1) {
                end++;
            }
            List<int[]> prompts = new ArrayList<>();
            for (int k = start; k < end; k++) {
                RevisionPrompt p = batch.get(rows.get(k));
                try {
                    prompts.add(format.encode(conversation.apply(rows.get(k)), ""));
                } catch (ChatTemplateException e) {
                    throw new IllegalArgumentException("prompt " + p.index() + " (" + p.id() + "), " + what
                            + ": the chat template rejects the conversation: " + e.getMessage(), e);
                }
            }
            List<GeneratedSequence> generated;
            try {
                generated = model.generate(prompts, generation, batch.get(rows.get(start)).index());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(what + ": " + e.getMessage()
                        + " (lower --max-new-tokens, or shorten the prompts or the constitution's requests)", e);
            }
            for (int k = start; k < end; k++) {
                out[k] = format.completionText(generated.get(k - start).completionIds());
            }
            start = end;
        }
        return out;
    }
}
