package org.jalign.lm;

/** MLP activations, named as in Hugging Face's {@code hidden_act} / {@code activation_function}. */
public enum Activation {
    /** x·σ(x), used gated (Llama, Qwen2). */
    SILU("silu"),
    /** The tanh approximation of GELU: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). GPT-2's default. */
    GELU_NEW("gelu_new"),
    /** Exact GELU: 0.5·x·(1 + erf(x/√2)). */
    GELU("gelu");

    private final String hfName;

    Activation(String hfName) {
        this.hfName = hfName;
    }

    public String hfName() {
        return hfName;
    }

    /** Looks an activation up by its Hugging Face name; "gelu_pytorch_tanh" is gelu_new by another name. */
    public static Activation ofHfName(String name) {
        if ("gelu_pytorch_tanh".equals(name)) {
            return GELU_NEW;
        }
        if ("swish".equals(name)) {
            return SILU;
        }
        for (Activation a : values()) {
            if (a.hfName.equals(name)) {
                return a;
            }
        }
        return null;
    }
}
