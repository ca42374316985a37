package org.jalign.lm;

/** The model families jalign runs, keyed by the Hugging Face {@code model_type}. */
public enum Architecture {
    /** {@code LlamaForCausalLM}: RMSNorm, RoPE, SiLU-gated MLP, grouped-query attention. */
    LLAMA("llama", "LlamaForCausalLM", "LlamaForSequenceClassification"),
    /** {@code Qwen2ForCausalLM}: the Llama block with biases on the q/k/v projections. */
    QWEN2("qwen2", "Qwen2ForCausalLM", "Qwen2ForSequenceClassification"),
    /** {@code GPT2LMHeadModel}: LayerNorm, learned positions, gelu_new MLP, Conv1D weights [in, out]. */
    GPT2("gpt2", "GPT2LMHeadModel", "GPT2ForSequenceClassification");

    private final String modelType;
    private final String hfClassName;
    private final String sequenceClassifierClassName;

    Architecture(String modelType, String hfClassName, String sequenceClassifierClassName) {
        this.modelType = modelType;
        this.hfClassName = hfClassName;
        this.sequenceClassifierClassName = sequenceClassifierClassName;
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

    /**
     * The {@code architectures[0]} of the same body with a {@code score} head instead of the LM
     * head ({@code transformers}' {@code *ForSequenceClassification}: reward models, classifiers).
     */
    public String sequenceClassifierClassName() {
        return sequenceClassifierClassName;
    }

    /**
     * Looks an architecture up by its Hugging Face class name, the causal LM's or the sequence
     * classifier's (both share the body), or null when unknown.
     */
    public static Architecture ofClassName(String className) {
        for (Architecture a : values()) {
            if (a.hfClassName.equals(className) || a.sequenceClassifierClassName.equals(className)) {
                return a;
            }
        }
        return null;
    }
}
