// Keeps GnuTLS from initialising itself when the dynamic loader maps it. frugal never calls
// GnuTLS (libcurl and the IRC transport use OpenSSL; curl is limited to http and https),
// but Debian's libcurl pulls it in through librtmp and libldap, and its load-time
// constructor parsed ASN.1 tables and seeded a random generator for nothing: 0.8 MiB of
// RSS and ~100 KiB of heap in every frugal process (docs/BENCHMARKS.md, issue 17).
// This is GnuTLS's documented switch (GNUTLS_SKIP_GLOBAL_INIT in <gnutls/gnutls.h>): its
// constructor calls this weak function, which the executable overrides and exports
// (CMakeLists.txt, --export-dynamic-symbol). A library that does use GnuTLS still calls
// gnutls_global_init() itself.
extern "C" __attribute__((visibility("default"), used)) int _gnutls_global_init_skip() {
  return 1;
}
