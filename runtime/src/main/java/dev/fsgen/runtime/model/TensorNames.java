package dev.fsgen.runtime.model;

/** Hugging Face {@code LlamaForCausalLM} tensor names: the on-disk contract of a checkpoint. */
public final class TensorNames {
  private TensorNames() {}

  public static final String EMBED = "model.embed_tokens.weight";
  public static final String FINAL_NORM = "model.norm.weight";
  public static final String LM_HEAD = "lm_head.weight";

  public static String layer(int i, String suffix) {
    return "model.layers." + i + "." + suffix;
  }

  public static final String ATTN_NORM = "input_layernorm.weight";
  public static final String MLP_NORM = "post_attention_layernorm.weight";
  public static final String Q = "self_attn.q_proj.weight";
  public static final String K = "self_attn.k_proj.weight";
  public static final String V = "self_attn.v_proj.weight";
  public static final String O = "self_attn.o_proj.weight";
  public static final String Q_BIAS = "self_attn.q_proj.bias";
  public static final String K_BIAS = "self_attn.k_proj.bias";
  public static final String V_BIAS = "self_attn.v_proj.bias";
  public static final String GATE = "mlp.gate_proj.weight";
  public static final String UP = "mlp.up_proj.weight";
  public static final String DOWN = "mlp.down_proj.weight";
}
