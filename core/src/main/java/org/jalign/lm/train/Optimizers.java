package org.jalign.lm.train;

import org.jalign.lm.Parameter;
import org.jalign.lm.optim.AdamW;
import org.jalign.lm.optim.AdamWConfig;
import org.jalign.lm.optim.TrainableParameter;

import java.util.ArrayList;
import java.util.List;

/** The optimizer every trainer builds over its trainable arrays. */
public final class Optimizers {
    private Optimizers() {
    }

    /**
     * AdamW over {@code trainable}, each array switched to record gradients; weight decay on
     * matrices only ({@link TrainableParameter#of}).
     */
    public static AdamW adamW(List<Parameter> trainable, AdamWConfig config) {
        List<TrainableParameter> optimized = new ArrayList<>();
        for (Parameter p : trainable) {
            p.array().setRequiresGradient(true);
            optimized.add(TrainableParameter.of(p.name(), p.array()));
        }
        return new AdamW(optimized, config);
    }
}
