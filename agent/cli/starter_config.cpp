// Text of the starter config. Every key it writes is one the loader accepts; the test
// tests/core/config_test.cpp loads the rendered text to keep it that way.
#include "agent/cli/starter_config.h"

#include <unistd.h>

#include "budget/prices.h"

namespace frugal::cli {
namespace {

// Prices for a model init has none for: those of the dearest mainstream models, so a
// wrong guess errs on the side of reserving too much.
std::string prices_for(const std::string& model) {
  if (budget::builtin_price(model)) return "";
  return "input_usd_per_mtok = 15.0    # PLACEHOLDER: frugal has no price for " + model +
         ";\noutput_usd_per_mtok = 75.0   # set the provider's real prices (USD per million\n"
         "price_placeholder = true     # tokens) and delete this line; doctor warns till then\n";
}

}  // namespace

std::string starter_state_dir() {
  return ::geteuid() == 0 ? "/var/lib/frugal" : "~/.local/state/frugal";
}

std::string render_starter_config(const starter_options& o) {
  std::string s;
  s += "# frugal configuration. Secrets never go in this file: *_env keys name the\n";
  s += "# environment variables that hold them.\n\n";
  s += "[agent]\n";
  s += "state_dir = \"" + o.state_dir + "\"   # sqlite database and workspaces\n";
  s += "system_prompt = \"You are frugal, a concise and helpful assistant.\"\n\n";
  s += "[providers.remote]\nkind = \"openai\"            # or \"anthropic\"\n";
  s += "base_url = \"" + o.base_url + "\"\n";
  s += "api_key_env = \"" + o.api_key_env + "\"\n\n";
  s += "[providers.ollama]\nkind = \"openai\"\nbase_url = \"" + o.local_url + "\"\n";
  s += "local = true               # free, and a longer first-byte timeout\n\n";
  s += "[models.cheap]\nprovider = \"remote\"\nmodel = \"" + o.chat_model + "\"\n";
  s += "max_output_tokens = 1024\n";
  s += prices_for(o.chat_model);
  s += "# input_usd_per_mtok = 1.0   # prices override the built-in table\n";
  s += "# output_usd_per_mtok = 5.0\n\n";
  s += "[models.capable]\nprovider = \"remote\"\nmodel = \"" + o.tools_model + "\"\n";
  s += "max_output_tokens = 2048\n";
  s += prices_for(o.tools_model) + "\n";
  s += "[models.local]\nprovider = \"ollama\"\nmodel = \"" + o.local_model + "\"\n\n";
  s += "[tiers]\n";
  s += "local = [\"local\"]\n";
  s += "chat = [\"cheap\", \"local\"]      # later models are fallbacks\n";
  s += "tools = [\"capable\", \"cheap\"]\n";
  s += "# chat offers the read-only clock, read_file, list_dir and memory_recall (plus\n";
  s += "# escalate); the table form [tiers.chat] models = [...] tools = [...] changes that\n\n";
  s += "[router]\n";
  s += "tool_turns = \"cheap_first\"   # a tool task starts on the chat tier with its read-only\n";
  s += "                             # tools and escalates to `tools` when it needs more;\n";
  s += "                             # \"tools_tier\": straight to the capable model\n\n";
  s += "[budget]\ndaily_usd = " + o.daily_usd + "\n";
  s += "timezone = \"UTC\"           # the day resets at midnight here\n";
  s += "public_share = 0.5         # the public realm may use half the cap\n";
  s += "per_sender_usd = 0.10      # and each public sender at most this much a day\n\n";
  s += "[realms.private]\nowners = [\"stdin\"]  # add \"account:YOURNICK\" for IRC\n\n";
  s += "[realms.public]\nallowed = []           # [\"*\"] lets anyone talk to the bot\n";
  s += "tools = [\"clock\"]\n";
  if (!o.irc_server.empty()) {
    s += "\n[transports.irc.main]\nserver = \"" + o.irc_server + "\"\nport = 6697\ntls = true\n";
    s += "nick = \"" + o.irc_nick + "\"\nchannels = [\"" + o.irc_channel + "\"]\n";
    s += "# sasl = \"plain\"\n# sasl_user = \"" + o.irc_nick + "\"\n";
    s += "# sasl_password_env = \"FRUGAL_SASL_PASSWORD\"\n";
  }
  return s;
}

}  // namespace frugal::cli
