package org.jalign.feedback;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A feedback set's stored labels seen through the math: the {@link Panel}, its agreement, each
 * labeler's quality and one consensus per prompt. What {@code feedback report} prints and
 * {@code feedback export} turns into training data.
 *
 * <ol>
 *   <li>each ranked label becomes a {@link Judgement}: the stored ranking, keyed by completion
 *       id, re-keyed by the completion's position 0..N−1; the labeler is named by their unique
 *       name, the prompt by its external id. Skipped labels say nothing and are left out;</li>
 *   <li>gold prompts' known rankings, re-keyed the same way, for {@link PoorLabelers};</li>
 *   <li>agreement ({@link Agreement}; flagged completions lose to ranked ones, as in the
 *       consensus), none when nobody has ranked anything yet;</li>
 *   <li>labeler quality ({@link PoorLabelers} with {@link PoorLabelerConfig#defaults()});</li>
 *   <li>the consensus with the chosen method, without the flagged labelers when asked. Gold
 *       prompts get a consensus of their labels like any other; their known ranking only scores
 *       labelers.</li>
 * </ol>
 *
 * @param prompts        the set's prompts in stored order
 * @param labels         ranked (not skipped) labels
 * @param skipped        skipped labels
 * @param labelsByName   ranked labels per labeler name
 * @param agreement      null when nothing has been ranked
 * @param excludedLabelers the labelers left out of the consensus (empty unless {@code excludeFlagged})
 * @param consensus      by prompt external id; prompts nobody (left) ranked have none
 */
public record FeedbackAnalysis(StoredSet set, List<StoredPrompt> prompts, Panel panel, int labels, int skipped,
                               Map<String, Integer> labelsByName, AgreementReport agreement,
                               PoorLabelerConfig labelerConfig, LabelerReport labelerReport,
                               ConsensusMethod method, Set<String> excludedLabelers,
                               SortedMap<String, ConsensusRanking> consensus) {

    /** How pairs with a flagged completion count in agreement: as in the consensus. */
    public static final FlagPolicy AGREEMENT_FLAGS = FlagPolicy.LOSES_TO_RANKED;

    public FeedbackAnalysis {
        prompts = List.copyOf(prompts);
        labelsByName = Map.copyOf(labelsByName);
        excludedLabelers = Set.copyOf(excludedLabelers);
    }

    public static FeedbackAnalysis of(FeedbackStore store, StoredSet set, ConsensusMethod method,
                                      boolean excludeFlagged) {
        Criterion criterion = Criterion.valueOf(set.criterion());
        List<StoredPrompt> prompts = store.prompts(set.id());
        Map<Long, StoredPrompt> promptsById = new HashMap<>();
        Map<Long, Integer> positionOf = new HashMap<>();
        for (StoredPrompt prompt : prompts) {
            promptsById.put(prompt.id(), prompt);
            prompt.completions().forEach(c -> positionOf.put(c.id(), c.position()));
        }

        // step 1
        List<Judgement> judgements = new ArrayList<>();
        Map<String, Integer> labelsByName = new TreeMap<>();
        int skipped = 0;
        for (StoredLabel label : store.labels(set.id())) {
            if (label.skipped()) {
                skipped++;
                continue;
            }
            StoredPrompt prompt = promptsById.get(label.promptId());
            judgements.add(new Judgement(prompt.externalId(), label.labelerName(), criterion,
                    byPosition(label.ranking(), prompt, positionOf)));
            labelsByName.merge(label.labelerName(), 1, Integer::sum);
        }
        Panel panel = new Panel(judgements);

        // step 2
        Map<String, Ranking> gold = new HashMap<>();
        for (StoredPrompt prompt : prompts) {
            if (prompt.isGold()) {
                gold.put(prompt.externalId(), byPosition(prompt.goldRanking(), prompt, positionOf));
            }
        }

        // steps 3-5
        AgreementReport agreement = judgements.isEmpty() ? null : Agreement.report(panel, AGREEMENT_FLAGS);
        PoorLabelerConfig config = PoorLabelerConfig.defaults();
        LabelerReport labelerReport = PoorLabelers.assess(panel, gold, config);
        Set<String> excluded = excludeFlagged ? labelerReport.flaggedLabelers() : Set.of();
        SortedMap<String, ConsensusRanking> consensus = Consensus.of(panel, method, excluded);
        return new FeedbackAnalysis(set, prompts, panel, judgements.size(), skipped, labelsByName, agreement, config,
                labelerReport, method, excluded, consensus);
    }

    /** A stored ranking (keyed by completion id) as the math's {@link Ranking} (by position). */
    static Ranking byPosition(StoredRanking stored, StoredPrompt prompt, Map<Long, Integer> positionOf) {
        List<Placement> placements = new ArrayList<>(prompt.completions().size());
        for (int i = 0; i < prompt.completions().size(); i++) {
            placements.add(null);
        }
        for (long id : stored.completionIds()) {
            Integer position = positionOf.get(id);
            if (position == null || prompt.completions().get(position).id() != id) {
                throw new IllegalStateException("a stored ranking of prompt \"" + prompt.externalId()
                        + "\" names completion " + id + ", which is not one of its completions: " + stored.toJson());
            }
            Integer rank = stored.ranks().get(id);
            placements.set(position, rank != null ? Placement.rank(rank) : Placement.flag());
        }
        if (placements.contains(null)) {
            // the store checks coverage on submit; this would be a database edited by hand
            throw new IllegalStateException("a stored ranking of prompt \"" + prompt.externalId()
                    + "\" does not cover all of its " + prompt.completions().size() + " completions: " + stored.toJson());
        }
        return new Ranking(placements);
    }
}
