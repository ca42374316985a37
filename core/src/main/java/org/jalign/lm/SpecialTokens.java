package org.jalign.lm;

import java.util.List;

/**
 * The ids that steer generation. Resolved from generation_config.json, then tokenizer_config.json
 * (token strings looked up in tokenizer.json), then config.json; -1 where none is known.
 *
 * @param padId the id written after EOS and left of short prompts; falls back to the first EOS id
 *              (as HF does) and then to 0 — padding is masked, so its value never reaches a result
 */
public record SpecialTokens(int bosId, List<Integer> eosIds, int padId) {
    public SpecialTokens {
        eosIds = List.copyOf(eosIds);
    }

    public boolean isEos(int id) {
        return eosIds.contains(id);
    }
}
