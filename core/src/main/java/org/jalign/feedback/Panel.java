package org.jalign.feedback;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The judgements that agreement, consensus and labeler quality are computed on: one criterion,
 * at most one judgement per (prompt, labeler), the same number of completions in every judgement
 * of a prompt. Checked once here so the algorithms can assume it.
 *
 * @param judgements in any order; iteration over prompts and labelers is in id order, so every
 *                   result is independent of the input order
 */
public record Panel(List<Judgement> judgements) {

    public Panel {
        judgements = List.copyOf(judgements);
        Set<Criterion> criteria = new LinkedHashSet<>();
        Map<String, Integer> completionsPerPrompt = new HashMap<>();
        Set<String> seen = new HashSet<>();
        for (Judgement judgement : judgements) {
            criteria.add(judgement.criterion());
            if (criteria.size() > 1) {
                throw new IllegalArgumentException("judgements mix criteria " + criteria
                        + "; agreement and consensus are per criterion, so filter by Judgement.criterion() first");
            }
            Integer n = completionsPerPrompt.putIfAbsent(judgement.promptId(), judgement.ranking().size());
            if (n != null && n != judgement.ranking().size()) {
                throw new IllegalArgumentException("prompt " + judgement.promptId() + " has rankings of " + n
                        + " and of " + judgement.ranking().size() + " completions (labeler "
                        + judgement.labelerId() + "); every ranking of a prompt must cover the same completions");
            }
            if (!seen.add(judgement.promptId() + "\u0000" + judgement.labelerId())) {
                throw new IllegalArgumentException("labeler " + judgement.labelerId() + " judged prompt "
                        + judgement.promptId() + " more than once; keep one judgement per (prompt, labeler)");
            }
        }
    }

    public static Panel of(Judgement... judgements) {
        return new Panel(List.of(judgements));
    }

    /** Judgements grouped by prompt id, each group in labeler id order. */
    public SortedMap<String, List<Judgement>> byPrompt() {
        SortedMap<String, List<Judgement>> groups = new TreeMap<>();
        for (Judgement judgement : judgements) {
            groups.computeIfAbsent(judgement.promptId(), k -> new ArrayList<>()).add(judgement);
        }
        for (Map.Entry<String, List<Judgement>> group : groups.entrySet()) {
            group.getValue().sort((a, b) -> a.labelerId().compareTo(b.labelerId()));
            group.setValue(List.copyOf(group.getValue()));
        }
        return Collections.unmodifiableSortedMap(groups);
    }

    public SortedSet<String> labelers() {
        SortedSet<String> labelers = new TreeSet<>();
        for (Judgement judgement : judgements) {
            labelers.add(judgement.labelerId());
        }
        return Collections.unmodifiableSortedSet(labelers);
    }

    /** The same panel without the given labelers' judgements. */
    public Panel without(Set<String> labelerIds) {
        return new Panel(judgements.stream().filter(j -> !labelerIds.contains(j.labelerId())).toList());
    }
}
