// Internal to the config loader: the section loaders shared between config_load.cpp and
// config_load_transports.cpp. Each reads one table strictly and throws config_error.
#pragma once
#include "core/config/config.h"
#include "core/config/toml_reader.h"

namespace frugal::config::detail {

void resolve_secret(toml_reader& r, const char* key, const std::string& var, env_fn env,
                    std::string& out);
void one_of(toml_reader& r, const char* key, const std::string& v,
            std::initializer_list<const char*> allowed);
std::string absolute_from(const std::string& base_dir, const std::string& p);

// Every tool name the config may list (realm and tier `tools` keys).
const std::vector<std::string>& all_tool_names();
void check_tool_names(toml_reader& r, const char* key, const std::vector<std::string>& names);

void load_realms(toml_reader r, file& f);
void default_realms(file& f);
void load_irc(toml_reader r, file& f, env_fn env, const std::string& base_dir);
void load_matrix(toml_reader r, file& f, env_fn env);

}  // namespace frugal::config::detail
