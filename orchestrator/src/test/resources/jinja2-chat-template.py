# Renders a tokenizer_config.json's chat_template the way Hugging Face's apply_chat_template does
# (Jinja2's immutable sandbox with trim_blocks and lstrip_blocks, add_generation_prompt, the special
# tokens), for BundledChatTest to compare with fsgen's own rendering.
# argv[1]: the tokenizer_config.json; stdin: the messages as JSON; stdout: the prompt as a JSON string.
import json
import sys

from jinja2.sandbox import ImmutableSandboxedEnvironment

with open(sys.argv[1], encoding="utf-8") as f:
    config = json.load(f)


def token(name):
    value = config.get(name)
    return value.get("content") if isinstance(value, dict) else value


tokens = {name: token(name) for name in ("bos_token", "eos_token") if token(name) is not None}
template = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True).from_string(config["chat_template"])
prompt = template.render(messages=json.load(sys.stdin), add_generation_prompt=True, **tokens)
sys.stdout.write(json.dumps(prompt))
