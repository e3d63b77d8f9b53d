# packaging.cmake: install() rules for what surrounds the binary (systemd unit, man page,
# example configs, cron example) and the CPack settings for a Debian package:
# `cpack -G DEB` in a configured build dir gives frugal_<version>_<arch>.deb. Its
# maintainer scripts create the frugal user, /var/lib/frugal and /etc/frugal/{frugal.toml,
# env} when missing, like deploy/install.sh; they never overwrite a config or start the
# service. The binary's own install(TARGETS) rule stays in the top-level CMakeLists.txt.
# Included from there (or with -DCMAKE_PROJECT_INCLUDE=deploy/packaging.cmake).
include_guard(GLOBAL)
include(GNUInstallDirs)

set(frugal_deploy_dir ${CMAKE_CURRENT_LIST_DIR})
set(frugal_pkg_dir ${CMAKE_BINARY_DIR}/packaging)

# The unit's ExecStart names the installed binary, which depends on the prefix used at
# install time (/usr for the .deb, /usr/local for `cmake --install`), so the unit is
# written when installing, not when configuring.
install(CODE "
  file(READ \"${frugal_deploy_dir}/frugal.service\" unit)
  string(REPLACE \"/usr/local/bin/frugal\" \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/frugal\" unit \"\${unit}\")
  file(WRITE \"${frugal_pkg_dir}/frugal.service\" \"\${unit}\")
")
install(FILES ${frugal_pkg_dir}/frugal.service DESTINATION lib/systemd/system)
# Debian policy wants the man page, the changelog and the copyright file in
# /usr/share/doc/frugal; the first two gzipped with -n (no name or time stamp, so the
# .deb is reproducible).
install(CODE "
  foreach(f frugal.1 changelog)
    execute_process(COMMAND gzip -9nc \"${frugal_deploy_dir}/\${f}\"
                    OUTPUT_FILE \"${frugal_pkg_dir}/\${f}.gz\" COMMAND_ERROR_IS_FATAL ANY)
  endforeach()
")
install(FILES ${frugal_pkg_dir}/frugal.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${frugal_pkg_dir}/changelog.gz ${frugal_deploy_dir}/copyright
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/frugal)
# The one lintian tag that is a false positive, with its reason (deploy/lintian-overrides).
install(FILES ${frugal_deploy_dir}/lintian-overrides RENAME frugal
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides)
install(FILES ${frugal_deploy_dir}/frugal.example.toml ${frugal_deploy_dir}/matrix.example.toml
              ${frugal_deploy_dir}/cron.example
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/frugal/examples)

# Maintainer scripts. postinst: user, folders, config and secrets file when missing.
# prerm: stop and disable the service before its binary and unit go (deb-systemd-invoke
# and deb-systemd-helper from init-system-helpers, as debhelper's scripts do; lintian
# allows systemctl itself only for daemon-reload). postrm purge: remove config, state and
# the user (what `apt purge` promises).
file(WRITE ${frugal_pkg_dir}/postinst [=[#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent passwd frugal >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/frugal --no-create-home \
      --shell /usr/sbin/nologin --comment "frugal agent" frugal
  fi
  install -d -m 0700 -o frugal -g frugal /var/lib/frugal
  install -d -m 0755 /etc/frugal
  example=/usr/share/doc/frugal/examples/frugal.example.toml
  if [ ! -e /etc/frugal/frugal.toml ] && [ -e "$example" ]; then
    install -m 0644 "$example" /etc/frugal/frugal.toml
    echo "frugal: wrote /etc/frugal/frugal.toml from the example: edit it"
  fi
  if [ ! -e /etc/frugal/env ]; then
    (umask 077; printf '%s\n' \
      "# Secrets for frugal.service (EnvironmentFile=): NAME=value lines, mode 600." \
      "# ANTHROPIC_API_KEY=sk-ant-..." "# FRUGAL_IRC_PASSWORD=..." "# FRUGAL_MATRIX_TOKEN=..." \
      > /etc/frugal/env)
    echo "frugal: wrote /etc/frugal/env (mode 600): put the API keys and passwords there"
  fi
  if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
  echo "frugal: then: systemctl enable --now frugal (see man frugal)"
fi
]=])
file(WRITE ${frugal_pkg_dir}/prerm [=[#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  deb-systemd-invoke stop frugal.service >/dev/null 2>&1 || true
  deb-systemd-helper disable frugal.service >/dev/null 2>&1 || true
fi
]=])
file(WRITE ${frugal_pkg_dir}/postrm [=[#!/bin/sh
set -e
if [ "$1" = purge ]; then
  rm -rf /etc/frugal /var/lib/frugal
  if getent passwd frugal >/dev/null; then userdel frugal || true; fi
fi
if [ -d /run/systemd/system ]; then systemctl --system daemon-reload >/dev/null || true; fi
]=])
file(CHMOD ${frugal_pkg_dir}/postinst ${frugal_pkg_dir}/prerm ${frugal_pkg_dir}/postrm
     PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                 WORLD_READ WORLD_EXECUTE)

set(CPACK_PACKAGE_NAME frugal)
set(CPACK_PACKAGE_VENDOR "frugal")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# A packager sets FRUGAL_MAINTAINER to a real address (lintian: bogus-mail-host for a
# host without a domain, such as localhost).
set(FRUGAL_MAINTAINER "frugal maintainers <frugal@example.org>" CACHE STRING
    "Maintainer field of the .deb")
set(CPACK_PACKAGE_CONTACT "${FRUGAL_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "small always-on AI agent for IRC, Matrix and cron with a hard daily spend cap")
# Lines of at most 80 columns (lintian: extended-description-line-too-long); CPack puts
# each line of this text on a line of its own in the control file.
set(CPACK_PACKAGE_DESCRIPTION [=[frugal answers in IRC channels and Matrix rooms and takes tasks from cron on
stdin. Each request goes to a tier of models (local, cheap, capable) through a
budget governor that never lets a day's spend pass the configured cap. Tools
run in a Landlock, seccomp and namespace sandbox, with a public/private
boundary between owners and everyone else.]=])
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${FRUGAL_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries' packages and versions come from dpkg-shlibdeps (libc6 included); the
# maintainer scripts add useradd (passwd); deb-systemd-invoke's init-system-helpers is
# Essential, so it is not named (lintian: depends-on-essential-package-without-using-version).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# libc6 >= 2.36 for the packed relative relocations (GLIBC_ABI_DT_RELR, release preset),
# which dpkg-shlibdeps does not see.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd, libc6 (>= 2.36)")
# libedit is dlopen'ed by `chat` on a terminal (agent/cli/line_editor.cpp), so
# dpkg-shlibdeps does not see it; chat reads plain lines without it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libedit2")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${frugal_pkg_dir}/postinst ${frugal_pkg_dir}/prerm ${frugal_pkg_dir}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
