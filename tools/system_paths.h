// system_paths: the host paths a sandboxed child may read: the system folders, a few /etc
// files (loader cache, time zone, TLS roots, resolver) and the harmless /dev nodes. The
// Landlock ruleset allows exactly these, and the namespace layer binds exactly these into
// the child's private root, so the two layers cannot drift apart.
#pragma once

namespace frugal::tools::system_paths {

inline constexpr const char* read_only_trees[] = {"/usr",
                                                  "/bin",
                                                  "/sbin",
                                                  "/lib",
                                                  "/lib32",
                                                  "/lib64",
                                                  "/libx32",
                                                  "/etc/ssl",
                                                  "/etc/ca-certificates",
                                                  "/etc/ld.so.conf.d"};
inline constexpr const char* read_only_files[] = {
    "/etc/ld.so.cache", "/etc/ld.so.conf",  "/etc/localtime", "/etc/nsswitch.conf",
    "/etc/hosts",       "/etc/resolv.conf", "/etc/gai.conf",  "/etc/host.conf"};
// Readable device nodes, and the one that is also writable.
inline constexpr const char* devices[] = {"/dev/zero", "/dev/urandom", "/dev/random"};
inline constexpr const char* dev_null = "/dev/null";

}  // namespace frugal::tools::system_paths
