package org.jalign.lm;

/** The model families jalign runs, keyed by the Hugging Face {@code model_type}. */
public enum Architecture {
    /** {@code LlamaForCausalLM}: RMSNorm, RoPE, SiLU-gated MLP, grouped-query attention. */
    LLAMA("llama", "LlamaForCausalLM"),
    /** {@code Qwen2ForCausalLM}: the Llama block with biases on the q/k/v projections. */
    QWEN2("qwen2", "Qwen2ForCausalLM"),
    /** {@code GPT2LMHeadModel}: LayerNorm, learned positions, gelu_new MLP, Conv1D weights [in, out]. */
    GPT2("gpt2", "GPT2LMHeadModel");

    private final String modelType;
    private final String hfClassName;

    Architecture(String modelType, String hfClassName) {
        this.modelType = modelType;
        this.hfClassName = hfClassName;
    }

    /** The {@code model_type} string in config.json. */
    public String modelType() {
        return modelType;
    }

    /** The {@code architectures[0]} string in config.json. */
    public String hfClassName() {
        return hfClassName;
    }

    /** Looks an architecture up by {@code model_type}, or null when unknown. */
    public static Architecture ofModelType(String modelType) {
        for (Architecture a : values()) {
            if (a.modelType.equals(modelType)) {
                return a;
            }
        }
        return null;
    }

    /** Looks an architecture up by its Hugging Face class name, or null when unknown. */
    public static Architecture ofClassName(String className) {
        for (Architecture a : values()) {
            if (a.hfClassName.equals(className)) {
                return a;
            }
        }
        return null;
    }
}
