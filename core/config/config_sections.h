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

// Records the line of `key` in f.key_lines, for errors found after loading.
void note_line(toml_reader& r, file& f, const char* key);

void load_realms(toml_reader r, file& f);
void default_realms(file& f);
void load_irc(toml_reader r, file& f, env_fn env, const std::string& base_dir);
void load_matrix(toml_reader r, file& f, env_fn env);

}  // namespace frugal::config::detail
