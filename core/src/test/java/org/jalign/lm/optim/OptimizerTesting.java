package org.jalign.lm.optim;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;

import java.util.List;

/** Test support: gradients set through real autograd, so the optimizer reads them as in training. */
final class OptimizerTesting {

    private OptimizerTesting() {
    }

    /**
     * Makes each parameter's gradient exactly {@code gradients[i]} (row-major): zeroes the
     * gradients, then backpropagates loss = Σ_i Σ c_i·p_i, whose gradient with respect to p_i is c_i.
     */
    static void setGradients(AdamW optimizer, double[]... gradients) {
        optimizer.zeroGradients();
        List<TrainableParameter> parameters = optimizer.parameters();
        NDManager owner = parameters.get(0).values().getManager();
        try (NDManager scratch = owner.newSubManager();
             GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = null;
            for (int i = 0; i < parameters.size(); i++) {
                NDArray weights = parameters.get(i).values();
                NDArray constant = scratch.create(gradients[i]).toType(weights.getDataType(), false)
                        .reshape(weights.getShape());
                NDArray term = constant.mul(weights).sum();   // constant first: the product lands on scratch
                loss = loss == null ? term : loss.add(term);
            }
            collector.backward(loss);
        }
    }

    /** A float32 parameter of the given values that requires a gradient. */
    static NDArray trainable(NDManager manager, float... values) {
        NDArray array = manager.create(values);
        array.setRequiresGradient(true);
        return array;
    }
}
