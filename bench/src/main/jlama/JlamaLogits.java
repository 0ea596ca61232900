/*
 * Independent next-token reference for a Hugging Face layout Llama checkpoint, computed by Jlama.
 *
 * Run with a Java 21+ launcher in source-file mode, in its own JVM (Jlama's classes need Java 20+,
 * while the project builds for Java 17):
 *
 *   java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *        -Djlama.force_panama_tensor_operations=true \
 *        -cp 'bench/target/jlama/*' \
 *        bench/src/main/jlama/JlamaLogits.java <modelDir> <requestFile>
 *
 * Jlama also needs slf4j-api on the class path; when target/jlama lacks it (this module gets it at
 * compile scope through DJL, so a provided-scope copy skips it) append its jar to -cp.
 * dev.fsgen.bench.reference.JlamaReference does that automatically.
 *
 * The request is JSON: {"prompts": [[ids...], ...], "greedy_tokens": N, "warm_up": bool}. Prompts are
 * token ids, not text, because Jlama's tokenizer does not reproduce Hugging Face's. With warm_up every
 * prompt runs once untimed first, so that the timings are of JIT-compiled code. stdout receives
 * exactly one JSON object: {"results": [{"last_logits": [vocab floats], "greedy": [N ids],
 * "prefill_seconds": s, "decode_seconds": s}, ...]}: the time of the prompt's forward pass and of the
 * N - 1 one-token steps after it. Everything else
 * (Jlama's logging, timings, errors) goes to stderr so stdout stays parseable.
 *
 * last_logits are the raw logits after the whole prompt (before softmax, temperature or any
 * sampling), computed in F32 throughout, also for BF16/F16 checkpoints: with Jlama's defaults
 * activations are rounded to BF16 and the logits differ from an F32 forward pass by ~1e-2.
 *
 * greedy is the argmax continuation: the first id comes from the prompt's logits, each later one
 * from a single-token forward step that reads the prompt and earlier greedy tokens from the KV cache.
 */

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.Config;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

public class JlamaLogits {

    public static void main(String[] args) {
        // Claim stdout for the result before Jlama (or a logging backend) can print to it.
        PrintStream stdout = System.out;
        System.setOut(System.err);

        if (args.length != 2) {
            System.err.println("usage: JlamaLogits <modelDir> <requestFile>");
            System.exit(2);
        }
        int status = 0;
        try {
            run(args, stdout);
        } catch (Throwable t) {
            t.printStackTrace();
            status = 1;
        }
        // Jlama's worker pools may hold the JVM open; exit explicitly either way.
        System.exit(status);
    }

    private static void run(String[] args, PrintStream stdout) throws Exception {
        File modelDir = new File(args[0]);
        JsonNode request = new ObjectMapper().readTree(new File(args[1]));
        List<int[]> prompts = new ArrayList<>();
        for (JsonNode p : request.path("prompts")) {
            int[] ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = p.get(i).asInt();
            }
            prompts.add(ids);
        }
        int greedyTokens = request.path("greedy_tokens").asInt(0);
        boolean warmUp = request.path("warm_up").asBoolean(false);

        long t0 = System.nanoTime();
        // F32 working and activation types keep Jlama from rounding activations to BF16. The F32 model
        // quantization type matters for BF16/F16 checkpoints: without it Jlama forces a BF16 activation
        // type for BF16 weights (~1e-2 logit error); with it the weights are widened to F32 on load.
        AbstractModel model = ModelSupport.loadModel(
                modelDir, null, DType.F32, DType.F32, Optional.of(DType.F32), Optional.empty());
        long t1 = System.nanoTime();
        Config c = model.getConfig();
        System.err.printf("jlama: loaded %s in %.0f ms (layers %d, hidden %d, heads %d/%d, vocab %d, context %d)%n",
                modelDir, (t1 - t0) / 1e6, c.numberOfLayers, c.embeddingLength, c.numberOfHeads,
                c.numberOfKeyValueHeads, c.vocabularySize, c.contextLength);

        // Jlama's RoPE table runs out a little before max_position_embeddings when kv_heads > 1
        // (measured with 256 positions and 2 KV heads: 254 fed tokens work, the 255th throws
        // ArrayIndexOutOfBounds). Refuse such requests up front with a clear message.
        int maxFed = c.contextLength - 2 * (c.numberOfKeyValueHeads - 1);
        for (int[] p : prompts) {
            if (p.length == 0) {
                throw new IllegalArgumentException("empty prompt");
            }
            // the last greedy token is sampled but never fed back
            int fed = p.length + Math.max(greedyTokens - 1, 0);
            if (fed > maxFed) {
                throw new IllegalArgumentException("prompt of " + p.length + " tokens plus " + greedyTokens
                        + " greedy tokens needs " + fed + " positions; Jlama handles " + maxFed + " for this config");
            }
            for (int id : p) {
                if (id < 0 || id >= c.vocabularySize) {
                    throw new IllegalArgumentException("token id " + id + " outside vocab " + c.vocabularySize);
                }
            }
        }

        List<float[]> lastLogits = new ArrayList<>();
        List<int[]> greedy = new ArrayList<>();
        List<double[]> seconds = new ArrayList<>();
        KvBufferCache kvCache = new KvBufferCache(model);
        try (AbstractTensor logits = model.makeDenseTensor(1, c.vocabularySize)) {
            if (warmUp) {
                for (int[] prompt : prompts) {
                    generate(model, kvCache, logits, prompt, greedyTokens, new float[c.vocabularySize], new double[2]);
                }
            }
            for (int[] prompt : prompts) {
                float[] raw = new float[c.vocabularySize];
                double[] took = new double[2];
                greedy.add(generate(model, kvCache, logits, prompt, greedyTokens, raw, took));
                lastLogits.add(raw);
                seconds.add(took);
            }
        } finally {
            kvCache.close();
        }
        long t2 = System.nanoTime();
        System.err.printf("jlama: %d prompts, %d greedy tokens each, in %.0f ms%n",
                prompts.size(), greedyTokens, (t2 - t1) / 1e6);

        BufferedWriter w = new BufferedWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), 1 << 16);
        writeResults(w, lastLogits, greedy, seconds);
        w.flush();
        stdout.flush();
    }

    /**
     * The greedy continuation of one prompt on a fresh KV buffer; fills {@code raw} with the logits
     * after the prompt and {@code took} with the seconds of the prompt's pass and of the steps after it.
     */
    private static int[] generate(AbstractModel model, KvBufferCache kvCache, AbstractTensor logits, int[] prompt,
                                  int greedyTokens, float[] raw, double[] took) {
        try (KvBufferCache.KvBuffer kv = kvCache.getEphemeralKvBuffer()) {
            int[] out = new int[greedyTokens];
            long t0 = System.nanoTime();
            AbstractTensor hidden = model.batchForward(prompt, 0, kv);
            // temperature 0 makes sample() return the argmax and leave the raw logits in `logits`
            int next = model.sample(hidden.slice(hidden.shape().first() - 1), 0f, 0f, logits);
            hidden.close();
            for (int v = 0; v < raw.length; v++) {
                raw[v] = logits.get(0, v);
            }
            long t1 = System.nanoTime();
            for (int step = 0; step < greedyTokens; step++) {
                out[step] = next;
                if (step + 1 == greedyTokens) {
                    break;
                }
                AbstractTensor h = model.forward(next, prompt.length + step, kv, Optional.empty());
                next = model.sample(h, 0f, 0f, logits);
                h.close();
            }
            took[0] = (t1 - t0) / 1e9;
            took[1] = (System.nanoTime() - t1) / 1e9;
            return out;
        }
    }

    private static void writeResults(BufferedWriter w, List<float[]> lastLogits, List<int[]> greedy, List<double[]> seconds)
            throws IOException {
        w.write("{\"results\":[");
        for (int r = 0; r < lastLogits.size(); r++) {
            if (r > 0) {
                w.write(',');
            }
            w.write("{\"last_logits\":[");
            float[] l = lastLogits.get(r);
            for (int i = 0; i < l.length; i++) {
                if (i > 0) {
                    w.write(',');
                }
                // Float.toString round-trips exactly; non-finite values come out as NaN/Infinity,
                // which lenient JSON readers (Gson's default) accept.
                w.write(Float.toString(l[i]));
            }
            w.write("],\"greedy\":[");
            int[] g = greedy.get(r);
            for (int i = 0; i < g.length; i++) {
                if (i > 0) {
                    w.write(',');
                }
                w.write(Integer.toString(g[i]));
            }
            w.write("],\"prefill_seconds\":" + seconds.get(r)[0] + ",\"decode_seconds\":" + seconds.get(r)[1] + "}");
        }
        w.write("]}\n");
    }
}
