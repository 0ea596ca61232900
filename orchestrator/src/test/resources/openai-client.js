// Calls fsgen's OpenAI-compatible API with the official OpenAI client and prints what it got as
// one JSON object, for OpenAiHttpTest to check against the gRPC API.
// Environment: OPENAI_MODULE (the installed package's directory), FSGEN_BASE_URL, FSGEN_TOKEN,
// FSGEN_MODEL; FSGEN_MESSAGES (JSON), FSGEN_PROMPT, FSGEN_MAX_TOKENS.
const OpenAI = require(process.env.OPENAI_MODULE).default;

async function main() {
  const client = new OpenAI({ baseURL: process.env.FSGEN_BASE_URL, apiKey: process.env.FSGEN_TOKEN, maxRetries: 0 });
  const model = process.env.FSGEN_MODEL;
  const messages = JSON.parse(process.env.FSGEN_MESSAGES);
  const maxTokens = Number(process.env.FSGEN_MAX_TOKENS);
  const out = {};

  out.chat = await client.chat.completions.create({ model, messages, max_tokens: maxTokens, temperature: 0 });

  const stream = await client.chat.completions.create({
    model, messages, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true },
  });
  out.streamed = { text: '', chunks: 0, finish_reason: null, usage: null, role: null, provenance: 0, summary: null };
  for await (const chunk of stream) {
    out.streamed.chunks++;
    if (chunk.usage) out.streamed.usage = chunk.usage;
    if (chunk.fsgen && chunk.fsgen.tokens) out.streamed.provenance += chunk.fsgen.tokens.length;
    if (chunk.fsgen && chunk.fsgen.summary) out.streamed.summary = chunk.fsgen.summary;
    for (const choice of chunk.choices) {
      if (choice.delta.role) out.streamed.role = choice.delta.role;
      if (choice.delta.content) out.streamed.text += choice.delta.content;
      if (choice.finish_reason) out.streamed.finish_reason = choice.finish_reason;
    }
  }

  out.completion = await client.completions.create({
    model, prompt: process.env.FSGEN_PROMPT, max_tokens: maxTokens, temperature: 0,
    fsgen: { strategy: { system2_only: {} } },
  });

  out.models = [];
  for await (const m of client.models.list()) out.models.push(m);

  const penalised = { model, messages, max_tokens: maxTokens, temperature: 0, presence_penalty: 0.5, frequency_penalty: 0.3,
    logprobs: true, top_logprobs: 3 };
  const withLogprobs = await client.chat.completions.create(penalised);
  out.logprobs = { text: withLogprobs.choices[0].message.content, content: withLogprobs.choices[0].logprobs.content,
    streamed_content: [] };
  for await (const chunk of await client.chat.completions.create({ ...penalised, stream: true })) {
    for (const choice of chunk.choices) if (choice.logprobs) out.logprobs.streamed_content.push(...choice.logprobs.content);
  }

  try {
    await client.chat.completions.create({ model, messages, logit_bias: { 11: 5 } });
    out.refused = null;
  } catch (e) {
    out.refused = { status: e.status, param: e.param, type: e.type, message: e.message };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack || e) + '\n');
  process.exit(1);
});
